"""Reading event logs: both formats agree, entities grouped and sorted, and every kind of bad input is named."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.datasets.files import load_events
from anyclr.plugins.events.datasets.reader import Schema, read_log
from tests.events.conftest import write_log

SCHEMA = {"id_column": "user", "time_column": "ts", "categorical": ("kind",), "numeric": ("amount",)}


def rows(n_users: int = 4, per_user: int = 3) -> list[dict]:
    out = []
    for u in range(n_users):
        for i in range(per_user):
            out.append({"user": f"u{u}", "ts": f"2025-01-0{i + 1} 10:00:00", "kind": ["a", "b", "c"][(u + i) % 3], "amount": 10.0 * (u + 1) + i, "label": u % 2})
    return out


def test_csv_and_parquet_read_the_same_events(small_set):
    schema = Schema("client_id", "event_time", ["mcc", "channel"], ["amount"], ["amount"])
    a = read_log(small_set / "train.csv", schema)
    b = read_log(small_set / "train.parquet", schema, chunk_rows=1000)  # several record batches
    assert list(a.ids) == list(b.ids) and np.array_equal(a.starts, b.starts)
    assert np.array_equal(a.categorical, b.categorical) and np.allclose(a.time, b.time) and np.allclose(a.numeric, b.numeric)
    assert a.time_kind == "timestamp" and len(a) == 40
    for i in range(len(a)):  # grouped by entity, sorted by time
        assert np.all(np.diff(a.time[a.starts[i] : a.ends[i]]) >= 0)
    events = pd.read_parquet(small_set / "train.parquet")
    first = events[events.client_id == int(a.ids[0])]
    assert a.lengths[0] == len(first)
    amounts = first.sort_values("event_time", kind="stable").amount.to_numpy()
    assert np.allclose(a.numeric[a.starts[0] : a.ends[0], 0], np.log1p(amounts))  # data.log1p applied


def test_missing_id_or_time_column_names_the_columns_found(tmp_path):
    path = write_log(tmp_path / "log.csv", rows())
    with pytest.raises(AnyclrError, match=r"no 'client' column \(data.id_column\); its columns: 'user', 'ts', 'kind', 'amount', 'label'"):
        load_events(path, **{**SCHEMA, "id_column": "client"})
    with pytest.raises(AnyclrError, match=r"no 'time' column \(data.time_column\)"):
        load_events(path, **{**SCHEMA, "time_column": "time"})


def test_unparseable_timestamp_names_file_column_and_row_or_is_counted(tmp_path, caplog):
    data = rows()
    data[4]["ts"] = "not a date"
    path = write_log(tmp_path / "log.csv", data)
    with pytest.raises(AnyclrError, match=r"log.csv, line 6, column 'ts': not a timestamp \('not a date'\)"):
        load_events(path, **SCHEMA)
    with caplog.at_level(logging.WARNING, logger="anyclr.events"):
        bundle = load_events(path, **SCHEMA, max_bad_fraction=0.1, test_fraction=0)
    assert "left out 1 of 12 rows" in " ".join(bundle.info["notes"]) and "left out 1 of 12 rows" in caplog.text
    assert sum(len(bundle.train[i][0]) for i in range(len(bundle.train))) == 11


def test_missing_time_and_mixed_numeric_types_are_named(tmp_path):
    data = rows()
    data[2]["ts"] = None
    path = write_log(tmp_path / "log.parquet", data)
    with pytest.raises(AnyclrError, match=r"log.parquet, row 3, column 'ts': missing time"):
        load_events(path, **SCHEMA)
    data = rows()
    data[7]["amount"] = "12,50 EUR"
    path = write_log(tmp_path / "mixed.csv", data)
    with pytest.raises(AnyclrError, match=r"mixed.csv, line 9, column 'amount': not a number \('12,50 EUR'\)"):
        load_events(path, **SCHEMA)


def test_unsorted_events_are_sorted_and_said_once(tmp_path, caplog):
    data = rows()
    data[0], data[2] = data[2], data[0]  # u0's events backwards in time
    path = write_log(tmp_path / "log.csv", data)
    with caplog.at_level(logging.WARNING, logger="anyclr.events"):
        bundle = load_events(path, **SCHEMA, test_fraction=0)
    assert caplog.text.count("not in time order") == 1 and "the events of 1 entity" in caplog.text
    seq, _ = bundle.train[0]
    assert np.all(np.diff(seq.time) > 0) and np.allclose(seq.numeric[:, 0], [10.0, 11.0, 12.0])


def test_single_event_entities_are_left_out_with_a_count(tmp_path, caplog):
    data = rows() + [{"user": "lonely", "ts": "2025-01-01 09:00:00", "kind": "a", "amount": 1.0, "label": 0}]
    path = write_log(tmp_path / "log.csv", data)
    with caplog.at_level(logging.WARNING, logger="anyclr.events"):
        bundle = load_events(path, **SCHEMA, test_fraction=0)
    assert len(bundle.train) == 4 and "left out 1 entity with a single event" in caplog.text
    with pytest.raises(AnyclrError, match="Every entity .* fewer than data.min_events = 5"):
        load_events(path, **SCHEMA, min_events=5)


def test_empty_files_are_errors_naming_the_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(AnyclrError, match=r"Event log .*empty.csv is empty"):
        load_events(str(empty), **SCHEMA)
    header = tmp_path / "header.csv"
    header.write_text("user,ts,kind,amount\n")
    with pytest.raises(AnyclrError, match=r"header.csv has a header but no events"):
        load_events(str(header), **SCHEMA)
    with pytest.raises(AnyclrError, match="does not exist"):
        load_events(str(tmp_path / "nope.parquet"), **SCHEMA)


def test_labels_from_a_column_or_a_file_and_numeric_times(tmp_path):
    data = rows()
    for r in data:
        r["ts"] = float(r["ts"][8:10])  # day numbers, not timestamps
    path = write_log(tmp_path / "log.csv", data)
    bundle = load_events(path, **SCHEMA, test_fraction=0)
    assert bundle.info["time_kind"] == "number" and bundle.info["event_fields"]["time"]["calendar"] is False
    assert bundle.labels().tolist() == [0, 1, 0, 1] and bundle.info["class_names"] == ["0", "1"]
    labels = tmp_path / "labels.csv"
    pd.DataFrame({"user": ["u0", "u1", "u2"], "grade": ["low", "high", "low"], "vip": [1, 0, 0]}).to_csv(labels, index=False)
    bundle = load_events(path, **SCHEMA, labels_path=str(labels), label_column="grade", extra_labels=("vip",), test_fraction=0)
    meta = bundle.train.sample_metadata()
    assert bundle.info["class_names"] == ["high", "low"] and meta["label"].tolist() == [1, 0, 1, -1]
    assert meta["vip"].tolist() == [1, 0, 0, -1] and bundle.info["extra_labels"] == ["vip"] and meta["id"] == ["u0", "u1", "u2", "u3"]
    with pytest.raises(AnyclrError, match=r"Label file .*labels.csv has no 'segment' column.*its columns: 'user', 'grade', 'vip'"):
        load_events(path, **SCHEMA, labels_path=str(labels), label_column="segment")
    with pytest.raises(AnyclrError, match="data.calendar is on"):
        load_events(path, **SCHEMA, calendar=True)


def test_vocabulary_is_fitted_on_training_entities_with_min_count(small_set):
    bundle = load_events(
        str(small_set / "train.parquet"), test_path=str(small_set / "test.parquet"), labels_path=str(small_set / "labels.csv"),
        id_column="client_id", time_column="event_time", categorical=("mcc", "channel"), numeric=("amount",), label_column="segment", min_count=50,
    )  # fmt: skip
    spec = bundle.info["event_fields"]["categorical"]["mcc"]
    events = pd.read_parquet(small_set / "train.parquet")
    counts = events.mcc.value_counts()
    assert len(spec["codes"]) == events.mcc.nunique()  # every training value is known …
    assert spec["size"] == 1 + int((counts >= 50).sum())  # … but only frequent ones get their own row
    assert sorted(spec["rows"])[-1] == spec["size"] - 1 and spec["rows"].count(0) == int((counts < 50).sum())
    assert len(bundle.train) == 40 and len(bundle.test) == 12 and bundle.info["extra_labels"] == []


def test_max_events_keeps_the_most_recent(tmp_path):
    path = write_log(tmp_path / "log.csv", rows(per_user=5))
    bundle = load_events(path, **SCHEMA, max_events=2, test_fraction=0)
    seq, _ = bundle.train[0]
    assert len(seq) == 2 and np.allclose(seq.numeric[:, 0], [13.0, 14.0])


def test_a_folder_of_partitions_reads_as_one_log(tmp_path, small_set):
    events = pd.read_parquet(small_set / "train.parquet")
    folder = tmp_path / "parts"
    (folder / "month=1").mkdir(parents=True)
    (folder / "month=2").mkdir()
    half = len(events) // 2
    events.iloc[:half].to_parquet(folder / "month=1" / "part-0.parquet", index=False)
    events.iloc[half:].to_csv(folder / "month=2" / "part-0.csv", index=False)
    schema = Schema("client_id", "event_time", ["mcc", "channel"], ["amount"])
    whole, parts = read_log(small_set / "train.parquet", schema), read_log(folder, schema)
    assert list(whole.ids) == list(parts.ids) and np.array_equal(whole.categorical, parts.categorical) and np.allclose(whole.time, parts.time)
    (tmp_path / "empty").mkdir()
    with pytest.raises(AnyclrError, match="holds no .csv or .parquet files"):
        read_log(tmp_path / "empty", schema)
