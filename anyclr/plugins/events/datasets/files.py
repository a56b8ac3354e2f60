"""The ``events`` dataset: entities from a CSV or Parquet event log, labels from a file or a column."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices
from anyclr.plugins.events.batch import collate_events
from anyclr.plugins.events.datasets.aggregates import Aggregates
from anyclr.plugins.events.datasets.fields import fit_fields, unseen_events
from anyclr.plugins.events.datasets.labels import class_order, encode, read_label_file
from anyclr.plugins.events.datasets.reader import EventLog, Schema, log_files, read_columns, read_log
from anyclr.plugins.events.datasets.sequences import EventSequences

log = logging.getLogger("anyclr.events")


def load_events(
    path: str,
    test_path: str = "",
    labels_path: str = "",
    id_column: str = "id",
    time_column: str = "time",
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    log1p: Sequence[str] = (),
    label_column: str = "label",
    extra_labels: Sequence[str] = (),
    min_count: int = 1,
    min_events: int = 2,
    max_events: int = 0,
    test_fraction: float = 0.25,
    calendar: str | bool = "auto",
    max_bad_fraction: float = 0.0,
    seed: int = 0,
    chunk_rows: int = 500_000,
) -> DataBundle:
    """Entities from a CSV or Parquet event log (one row per event), grouped by ``id_column`` and sorted by time.

    Args:
        path: the event log (.csv, .csv.gz or .parquet, or a folder of such partition files), read chunk by chunk.
        test_path: an optional log of other entities to evaluate on; without one, ``test_fraction`` of the
            entities (stratified by label) are held out. Vocabularies and scales are fitted on training entities.
        labels_path: a CSV/Parquet file with ``id_column`` and the label columns, one row per entity; without
            it, ``label_column`` (and ``extra_labels``) are read from the log (each entity's last value), if there.
        id_column, time_column: the entity and time columns; times are timestamps or numbers.
        categorical, numeric: the event fields; ``log1p``: numeric fields read as sign(x)·log1p(|x|) (amounts).
        label_column: the main label; ``extra_labels``: more label columns, each evaluated on its own.
        min_count: values seen fewer times in training share the unknown embedding (default 1: none).
        min_events: entities with fewer events are left out, with a note (default 2).
        max_events: keep each entity's most recent events only (0: all).
        calendar: hour and weekday features: ``auto`` (for timestamps), true or false.
        max_bad_fraction: share of rows that may be unusable (no time, a number that is not one) and are left
            out with a note; more is an error naming the first (default 0).
        seed: seed of the held-out split.
        chunk_rows: rows read at a time.
    """
    schema = Schema(id_column, time_column, list(categorical), list(numeric), list(log1p))
    extra = [str(c) for c in extra_labels]
    if min_events < 1:
        raise AnyclrError(f"data.min_events must be at least 1, got {min_events}.")
    if test_path and not Path(test_path).expanduser().exists():
        raise AnyclrError(f"Event log {test_path} (data.test_path) does not exist.")
    if not labels_path and Path(path).expanduser().exists():
        found = read_columns(log_files(Path(path).expanduser())[0])
        missing = [c for c in extra if c not in found]
        if missing:
            raise AnyclrError(f"data.extra_labels names {missing[0]!r}, but {path} has no such column and data.labels_path is not set.")
        schema.label_columns = [c for c in [label_column, *extra] if c in found]
    train_log = keep_long_enough(read_log(path, schema, max_bad_fraction, chunk_rows), min_events)
    test_log = keep_long_enough(read_log(test_path, schema, max_bad_fraction, chunk_rows), min_events) if test_path else None
    if test_log is not None and test_log.time_kind != train_log.time_kind:
        raise AnyclrError(f"{test_path} holds {test_log.time_kind}s in column {time_column!r}, but {path} holds {train_log.time_kind}s.")
    columns = [label_column, *extra]
    label_texts = entity_labels(train_log, test_log, labels_path, id_column, columns, schema)
    labels, class_names, notes = encode_labels(label_texts, columns)

    n = len(train_log)
    train_idx, test_idx = np.arange(n), np.zeros(0, np.int64)
    if test_log is None and test_fraction > 0:
        main = labels["train"][label_column]
        rest, held = split_indices(main if (main >= 0).all() else np.zeros(n, np.int64), test_fraction, seed, what="data.test_fraction")
        train_idx, test_idx = rest.numpy(), held.numpy()
    use_calendar = train_log.time_kind == "timestamp" if calendar == "auto" else _flag(calendar)
    if use_calendar and train_log.time_kind != "timestamp":
        raise AnyclrError(f"data.calendar is on, but column {time_column!r} of {path} holds numbers, not timestamps.", "Set data.calendar = false.")
    fields = fit_fields(train_log, train_idx, schema.categorical, schema.numeric, min_count, use_calendar)

    train = _take(train_log, train_idx, labels["train"], label_column, max_events)
    if test_log is not None:
        test = EventSequences(test_log, np.arange(len(test_log)), _ordered(labels["test"], label_column), max_events)
        unseen = unseen_events(test_log, np.arange(len(test_log)), fields, schema.categorical)
    elif len(test_idx):
        test = _take(train_log, test_idx, labels["train"], label_column, max_events)
        unseen = unseen_events(train_log, test_idx, fields, schema.categorical)
    else:
        test, unseen = None, {}
    for field, count in unseen.items():
        notes.append(f"{count} test events have a {field!r} value never seen in training (embedded as the unknown value)")
    for note in notes:
        log.warning("%s.", note)
    aggregates = Aggregates(fields)
    lengths = train.lengths()
    info: dict[str, Any] = {
        "modality": "events",
        "num_classes": len(class_names[label_column]),
        "class_names": class_names[label_column],
        "extra_labels": extra,
        "extra_class_names": {c: class_names[c] for c in extra},
        "raw_features": aggregates.describe(),
        "codec": "events",
        "event_fields": fields,
        "categorical": schema.categorical,
        "numeric": schema.numeric,
        "time_kind": train_log.time_kind,
        "entities": len(train) + (len(test) if test is not None else 0),
        "median_events": float(np.median(lengths)) if len(lengths) else 0.0,
        "source": str(path),
        "notes": train_log.notes + (test_log.notes if test_log is not None else []) + notes,
    }
    return DataBundle(train=train, test=test, collate=collate_events, info=info, raw_features=aggregates, max_bad_fraction=max_bad_fraction)


def keep_long_enough(log_: EventLog, min_events: int) -> EventLog:
    """Leave out entities with fewer than ``min_events`` events, saying how many."""
    short = log_.lengths < min_events
    if not short.any():
        return log_
    if short.all():
        raise AnyclrError(
            f"Every entity of {log_.source} has fewer than data.min_events = {min_events} events.",
            "Check data.id_column (is it the entity?), or lower data.min_events.",
        )
    kept = log_.select(~short)
    what = "a single event" if min_events == 2 else f"fewer than {min_events} events"
    note = f"{Path(log_.source).name}: left out {int(short.sum())} entit{'y' if short.sum() == 1 else 'ies'} with {what} (data.min_events = {min_events})"
    kept.notes.append(note)
    log.warning("%s.", note)
    return kept


def entity_labels(
    train: EventLog, test: EventLog | None, labels_path: str, id_column: str, columns: list[str], schema: Schema
) -> dict[str, dict[str, np.ndarray]]:
    """Return ``{split: {column: [N] label text ("" when unknown)}}`` from the label file or the logs' own columns."""
    logs = {"train": train, **({"test": test} if test is not None else {})}
    out: dict[str, dict[str, np.ndarray]] = {s: {} for s in logs}
    table = read_label_file(labels_path, id_column, columns) if labels_path else None
    for split, one in logs.items():
        for column in columns:
            if table is not None:
                values = table[column]
                out[split][column] = np.array([values.get(i, "") for i in one.ids], dtype=object)
            elif column in one.labels:
                out[split][column] = one.labels[column]
            else:
                out[split][column] = np.full(len(one), "", dtype=object)
    return out


def encode_labels(texts: dict[str, dict[str, np.ndarray]], columns: list[str]) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, list[str]], list[str]]:
    """Map label texts to class indices per column (classes from the training entities); notes on gaps."""
    labels: dict[str, dict[str, np.ndarray]] = {s: {} for s in texts}
    class_names: dict[str, list[str]] = {}
    notes = []
    for column in columns:
        train = texts["train"][column]
        classes = class_order([t for t in train if t])
        class_names[column] = classes
        for split, per_column in texts.items():
            labels[split][column] = encode(per_column[column], classes)
            missing = int((labels[split][column] < 0).sum())
            if classes and missing:
                what = "no label" if split == "train" else "no label, or one the training entities lack"
                notes.append(f"{missing} {split} entities have {what} in {column!r} (-1: left out of its evaluation)")
    return labels, class_names, notes


def _take(log_: EventLog, index: np.ndarray, labels: dict[str, np.ndarray], main: str, max_events: int) -> EventSequences:
    return EventSequences(log_, index, _ordered({k: v[index] for k, v in labels.items()}, main), max_events)


def _ordered(labels: dict[str, np.ndarray], main: str) -> dict[str, np.ndarray]:
    """Name the main label column ``label`` (the core's name), the others by their own names."""
    return {"label": labels[main], **{k: v for k, v in labels.items() if k != main}}


def _flag(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise AnyclrError(f"data.calendar must be auto, true or false, got {value!r}.")

