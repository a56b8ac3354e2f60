"""Time-series datasets: aeon's bundled UCR/UEA sets, every file format, unequal lengths, NaN, bad input."""

import numpy as np
import pytest
import torch

from anyclr.core.errors import AnyclrError
from anyclr.plugins.timeseries.datasets.bundled import BundledSet
from anyclr.plugins.timeseries.datasets.files import load_file
from anyclr.plugins.timeseries.datasets.ucr import load_ucr

pytest.importorskip("aeon")

TS_HEADER = """@problemName toy
@timeStamps false
@missing true
@univariate {univariate}
{dims}@equalLength false
@classLabel true a b
@data
"""


def write_ts(path, rows, univariate=True, dims=""):
    path.write_text(TS_HEADER.format(univariate=str(univariate).lower(), dims=dims) + "\n".join(rows) + "\n")
    return path


def test_gunpoint_from_aeon():
    bundle = load_ucr("GunPoint")
    assert bundle.train.x.shape == (50, 150, 1) and bundle.test.x.shape == (150, 150, 1)
    assert bundle.info["in_channels"] == 1 and bundle.info["num_classes"] == 2
    assert set(bundle.train.y.tolist()) == {0, 1}
    x = bundle.train.x
    assert abs(float(x.mean())) < 1e-4 and abs(float(x.std()) - 1) < 1e-2  # channel z-normalised


def test_basicmotions_multivariate_and_bundled_component():
    bundle = BundledSet("BasicMotions")(normalize="none")
    assert bundle.train.x.shape == (40, 100, 6) and bundle.info["num_classes"] == 4
    assert bundle.info["class_names"] == sorted(bundle.info["class_names"])


def test_unknown_name_lists_bundled_sets():
    with pytest.raises(AnyclrError) as err:
        load_ucr("GunPointt")
    text = str(err.value)
    assert "not bundled with aeon" in text and "'GunPoint'" in text and "BasicMotions" in text


def test_extract_path_reads_a_local_archive(tmp_path):
    folder = tmp_path / "Toy"
    folder.mkdir()
    write_ts(folder / "Toy_TRAIN.ts", ["1,2,3,4:a", "4,3,2,1:b"])
    write_ts(folder / "Toy_TEST.ts", ["1,2,3,5:a"])
    bundle = load_ucr("Toy", extract_path=str(tmp_path), normalize="none")
    assert bundle.train.x.shape == (2, 4, 1) and bundle.test.y.tolist() == [0]
    with pytest.raises(AnyclrError, match="Nope_TRAIN.ts"):
        load_ucr("Nope", extract_path=str(tmp_path))


def test_ts_file_unequal_lengths_and_nan(tmp_path):
    path = write_ts(tmp_path / "toy.ts", ["1,2,3:a", "1,NaN,3,4,5:b", "7,8:a"])
    bundle = load_file(str(path), normalize="none")
    x = bundle.train.x
    assert x.shape == (3, 5, 1)
    assert torch.isnan(x[0, 3:]).all() and torch.isnan(x[1, 1]).all() and torch.isnan(x[2, 2:]).all()
    assert bundle.info["shortest_series_length"] == 2 and bundle.info["shortest_series"].endswith("line 10")
    assert bundle.test is None and bundle.train.y.tolist() == [0, 1, 0]


def test_multivariate_ts(tmp_path):
    path = write_ts(tmp_path / "mv.ts", ["1,2,3:4,5,6:a", "1,2,3:4,5,7:b"], univariate=False, dims="@dimensions 2\n")
    bundle = load_file(str(path), normalize="none")
    assert bundle.train.x.shape == (2, 3, 2)
    torch.testing.assert_close(bundle.train.x[0, :, 1], torch.tensor([4.0, 5.0, 6.0]))


def test_tsv_csv_with_labels_header_and_padding(tmp_path):
    (tmp_path / "train.tsv").write_text("1\t0.1\t0.2\t0.3\n2\t0.5\t0.6\tNaN\n")
    (tmp_path / "test.csv").write_text("label,t0,t1,t2\nb,1,,3\na,1,2,3\n")
    bundle = load_file(str(tmp_path / "train.tsv"), normalize="none")
    assert bundle.train.x.shape == (2, 3, 1) and torch.isnan(bundle.train.x[1, 2, 0])
    csv = load_file(str(tmp_path / "test.csv"), normalize="none")
    assert csv.train.x.shape == (2, 3, 1) and csv.train.y.tolist() == [1, 0]
    (tmp_path / "last.csv").write_text("0.1,0.2,x\n0.3,0.4,y\n")
    assert load_file(str(tmp_path / "last.csv"), label_column="last").train.y.tolist() == [0, 1]


def test_npy_with_labels_and_test_file(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.normal(size=(6, 20, 3)))
    np.save(tmp_path / "y.npy", np.array([0, 1, 0, 1, 0, 1]))
    np.save(tmp_path / "xt.npy", rng.normal(size=(4, 20, 3)))
    bundle = load_file(str(tmp_path / "x.npy"), labels_path=str(tmp_path / "y.npy"), test_path=str(tmp_path / "xt.npy"))
    assert bundle.train.x.shape == (6, 20, 3) and bundle.train.y.tolist() == [0, 1, 0, 1, 0, 1]
    assert bundle.test.y.tolist() == [-1] * 4  # no test labels given
    np.save(tmp_path / "nct.npy", rng.normal(size=(4, 3, 20)))  # aeon's [N, C, T]
    unlabelled = load_file(str(tmp_path / "nct.npy"), layout="nct")
    assert unlabelled.train.x.shape == (4, 20, 3) and (unlabelled.train.y == -1).all()


def test_arff(tmp_path):
    rows = "\n".join(f"{a},{b},{c},{lab}" for a, b, c, lab in [(1, 2, 3, "x"), (3, 2, 1, "y"), (1, 1, 1, "x")])
    (tmp_path / "toy.arff").write_text(
        "@relation toy\n@attribute t0 numeric\n@attribute t1 numeric\n@attribute t2 numeric\n"
        "@attribute target {x,y}\n@data\n" + rows + "\n"
    )
    bundle = load_file(str(tmp_path / "toy.arff"), normalize="none")
    assert bundle.train.x.shape == (3, 3, 1) and bundle.train.y.tolist() == [0, 1, 0]


@pytest.mark.parametrize("mode", ["channel", "series", "none"])
def test_normalisation_uses_training_statistics(tmp_path, mode):
    np.save(tmp_path / "a.npy", np.arange(40.0).reshape(2, 20))
    np.save(tmp_path / "b.npy", np.arange(40.0).reshape(2, 20) + 100)
    bundle = load_file(str(tmp_path / "a.npy"), test_path=str(tmp_path / "b.npy"), normalize=mode)
    train, test = bundle.train.x, bundle.test.x
    if mode == "none":
        assert float(train.max()) == 39.0
    elif mode == "channel":
        assert abs(float(train.mean())) < 1e-5 and float(test.mean()) > 5  # test shifted by train's statistics
    else:
        assert abs(float(test[0].mean())) < 1e-5


# --- bad input: clear errors that name the file and row ------------------------------------------------------------


def test_all_nan_series_names_file_and_line(tmp_path):
    (tmp_path / "x.tsv").write_text("1\t0.1\t0.2\n2\tNaN\tNaN\n")
    with pytest.raises(AnyclrError, match=r"x\.tsv, line 2: the series is all missing"):
        load_file(str(tmp_path / "x.tsv"))


def test_series_shorter_than_the_minimum_crop(tmp_path):
    path = write_ts(tmp_path / "short.ts", ["1,2,3:a", "5:b"])
    with pytest.raises(AnyclrError, match=r"short\.ts, line 9: the series has 1 observed timestamp"):
        load_file(str(path))
    # With a lower data.min_length the file loads, and the crops then refuse it, naming the series.
    from anyclr.plugins.timeseries.views.contextual_crops import ContextualCrops

    info = load_file(str(path), min_length=1).info
    with pytest.raises(AnyclrError, match=r"short\.ts, line 9 has only 1 observed timestamps"):
        ContextualCrops(shortest_series_length=info["shortest_series_length"], shortest_series=info["shortest_series"])


def test_test_file_with_other_channels_names_it(tmp_path):
    np.save(tmp_path / "train.npy", np.zeros((3, 10, 2)) + np.arange(10)[None, :, None])
    np.save(tmp_path / "test.npy", np.zeros((3, 10, 3)))
    with pytest.raises(AnyclrError, match=r"test\.npy, series 0: 3 channel\(s\), but .*train\.npy has 2"):
        load_file(str(tmp_path / "train.npy"), test_path=str(tmp_path / "test.npy"))


def test_ragged_rows_name_file_and_line(tmp_path):
    (tmp_path / "r.csv").write_text("a,1,2,3\nb,1,2\na,1,2,3\n")
    with pytest.raises(AnyclrError, match=r"r\.csv, line 2: 2 values, but the first row has 3 \(ragged rows\)"):
        load_file(str(tmp_path / "r.csv"))
    mv = write_ts(tmp_path / "mv.ts", ["1,2,3:4,5,6:a", "1,2,3:4,5:b"], univariate=False, dims="@dimensions 2\n")
    with pytest.raises(AnyclrError, match=r"Could not read .*mv\.ts: .*case 2"):
        load_file(str(mv))


def test_other_bad_files(tmp_path):
    with pytest.raises(AnyclrError, match="does not exist"):
        load_file(str(tmp_path / "missing.tsv"))
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(AnyclrError, match="unsupported file type"):
        load_file(str(tmp_path / "x.txt"))
    (tmp_path / "bad.tsv").write_text("1\t0.1\t0.2\n2\t0.3\toops\n")
    with pytest.raises(AnyclrError, match=r"bad\.tsv, line 2: value 2 \('oops'\) is not a number"):
        load_file(str(tmp_path / "bad.tsv"))
    np.save(tmp_path / "y.npy", np.array([0, 1]))
    np.save(tmp_path / "x.npy", np.zeros((3, 5)))
    with pytest.raises(AnyclrError, match="2 labels but the data has 3"):
        load_file(str(tmp_path / "x.npy"), labels_path=str(tmp_path / "y.npy"))
