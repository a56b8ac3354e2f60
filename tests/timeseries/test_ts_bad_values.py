"""Series files with values no model can train on, and splits no classifier can be judged on: clear errors first."""

from __future__ import annotations

import numpy as np
import pytest
from test_ts_datasets import write_ts

from anyclr.core.errors import AnyclrError
from anyclr.plugins.timeseries.datasets.files import load_file


def rows(n: int = 12, length: int = 10, classes: int = 2) -> list[list[str]]:
    rng = np.random.default_rng(0)
    return [[str(i % classes)] + [f"{v:.3f}" for v in rng.normal(i % classes, 1, length)] for i in range(n)]


def write_tsv(path, table) -> str:
    path.write_text("\n".join("\t".join(r) for r in table) + "\n")
    return str(path)


@pytest.mark.parametrize(
    "value, message",
    [
        ("inf", r"x\.tsv, line 4: value 5 is infinite\."),
        ("-Infinity", r"x\.tsv, line 4: value 5 is infinite\."),
        ("1e400", r"x\.tsv, line 4: value 5 is infinite\."),  # overflows float64 while parsing
        ("1e300", r"x\.tsv, line 4: value 5 is 1e\+300: values beyond ±1e\+30 overflow float32"),
        ("-2.5e31", r"x\.tsv, line 4: value 5 is -2\.5e\+31"),
    ],
)
def test_tsv_values_that_cannot_be_trained_on_name_file_and_line(tmp_path, value, message):
    table = rows()
    table[3][5] = value
    with pytest.raises(AnyclrError, match=message):
        load_file(write_tsv(tmp_path / "x.tsv", table))


def test_nan_stays_missing_and_large_but_safe_values_load(tmp_path):
    table = rows()
    table[3][5], table[4][2] = "NaN", "1e29"
    bundle = load_file(write_tsv(tmp_path / "x.tsv", table), normalize="none")
    assert bool(bundle.train.x[3, 4].isnan()) and float(bundle.train.x[4, 1]) == pytest.approx(1e29, rel=1e-6)


def test_npy_and_ts_values_name_series_and_channel(tmp_path):
    x = np.zeros((4, 6, 2))
    x[2, 3, 1] = np.inf
    x[2, 4, 1] = np.inf
    np.save(tmp_path / "x.npy", x)
    with pytest.raises(AnyclrError, match=r"x\.npy, series 2: value 4 of channel 2 is infinite \(2 such values in this series\)"):
        load_file(str(tmp_path / "x.npy"))
    path = write_ts(tmp_path / "t.ts", ["1,2,3:a", "1,2,1e35:b"])
    with pytest.raises(AnyclrError, match=r"t\.ts, line \d+: value 3 is 1e\+35"):
        load_file(str(path))


def test_the_test_file_is_checked_too(tmp_path):
    test = rows(4)
    test[1][2] = "inf"
    with pytest.raises(AnyclrError, match=r"test\.tsv, line 2: value 2 is infinite"):
        load_file(write_tsv(tmp_path / "train.tsv", rows()), test_path=write_tsv(tmp_path / "test.tsv", test))


def test_test_labels_unseen_in_training_are_refused(tmp_path):
    test = rows(6)
    for r in test[3:]:
        r[0] = "7"
    with pytest.raises(AnyclrError) as info:
        load_file(write_tsv(tmp_path / "train.tsv", rows()), test_path=write_tsv(tmp_path / "test.tsv", test))
    assert info.value.message.startswith(f"{tmp_path / 'test.tsv'}, line 4: label '7' does not occur in {tmp_path / 'train.tsv'}")
    assert "3 of 6 test series have labels the training series lack ('7')" in info.value.message
    assert "data.label_column" in info.value.hint


def train_file(tmp_path, table, *extra):
    from anyclr.api import train

    return train(
        "timeseries-ts2vec",
        ["data.name='timeseries-file'", f"data.path='{write_tsv(tmp_path / 'x.tsv', table)}'", "trainer.epochs=1",
         "eval.plots=false", *extra],
        run_dir=tmp_path / "run", progress=False, print_table=False,
    )


def test_a_single_series_fails_before_training(tmp_path):
    with pytest.raises(AnyclrError, match="Cannot split 1 sample"):
        train_file(tmp_path, rows(1))
    assert not (tmp_path / "run").exists()


def test_labels_read_from_a_value_column_fail_before_training(tmp_path):
    """label_column = "last" on a file whose labels come first: every series gets its own 'class'."""
    with pytest.raises(AnyclrError, match="no class has 2 or more samples"):
        train_file(tmp_path, rows(8), "data.label_column='last'")
    assert not (tmp_path / "run").exists()


def test_a_class_with_one_series_is_kept_for_training(tmp_path):
    table = rows(16) + [["9"] + rows(1)[0][1:]]
    summary = train_file(tmp_path, table, "eval.protocols=['knn']", "eval.baselines=[]")
    assert set(summary["metrics"]) == {"knn_top1"}
