"""Finding a dataset's files (class folders, CSV/Parquet manifests) and the cache folder for generated data."""

from __future__ import annotations

import pandas as pd
import pytest

from anyclr.core.cache import cached_folder
from anyclr.core.errors import AnyclrError
from anyclr.core.files import read_manifest, scan_class_folder


def touch(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_class_folder_and_test_folder_with_the_training_classes(tmp_path):
    for name in ("b/2.wav", "b/1.wav", "a/x.wav", "a/readme.txt"):
        touch(tmp_path / "train" / name)
    table = scan_class_folder(tmp_path / "train", [".wav"], "audio file")
    assert [p.name for p in table.paths] == ["x.wav", "1.wav", "2.wav"] and table.labels == [0, 1, 1] and table.class_names == ["a", "b"]
    touch(tmp_path / "test" / "c" / "y.wav")
    with pytest.raises(AnyclrError, match="classes the training folder lacks: c"):
        scan_class_folder(tmp_path / "test", [".wav"], "audio file", table.class_names)
    with pytest.raises(AnyclrError, match="has no audio files"):
        scan_class_folder(tmp_path / "train" / "a", ["flac"], "audio file")


def test_manifest_rows_resolve_relative_paths_labels_bounds_and_groups(tmp_path):
    touch(tmp_path / "clips" / "one.wav")
    touch(tmp_path / "clips" / "two.wav")
    pd.DataFrame(
        {"path": ["clips/one.wav", "clips/two.wav"], "label": ["yes", "no"], "start": [0.0, 1.5], "end": [1.0, 2.5], "group": ["ann", "bob"]}
    ).to_csv(tmp_path / "m.csv", index=False)
    table = read_manifest(tmp_path / "m.csv")
    assert table.paths[0] == tmp_path / "clips" / "one.wav" and table.class_names == ["no", "yes"] and table.labels == [1, 0]
    assert table.starts == [0.0, 1.5] and table.ends == [1.0, 2.5] and table.groups == ["ann", "bob"]
    assert table.where(1).endswith("(m.csv, row 3)")
    pd.read_csv(tmp_path / "m.csv").to_parquet(tmp_path / "m.parquet")
    assert read_manifest(tmp_path / "m.parquet").labels == [1, 0]
    assert read_manifest(tmp_path / "m.csv").subset([1]).groups == ["bob"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"path": ["clips/missing.wav"]}, r"m.csv, row 2: file .*missing.wav does not exist"),
        ({"path": ["clips/one.wav"], "start": [2.0], "end": [1.0]}, r"row 2: end \(1.0\) is not after start \(2.0\)"),
        ({"path": ["clips/one.wav"], "start": ["soon"]}, r"row 2: start = 'soon' is not a number of seconds"),
        ({"file": ["clips/one.wav"]}, "has no 'path' column"),
    ],
)
def test_bad_manifests_name_the_row(tmp_path, rows, message):
    touch(tmp_path / "clips" / "one.wav")
    pd.DataFrame(rows).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(AnyclrError, match=message):
        read_manifest(tmp_path / "m.csv")


def test_a_test_manifest_with_an_unseen_label_is_an_error(tmp_path):
    touch(tmp_path / "one.wav")
    pd.DataFrame({"path": ["one.wav"], "label": ["maybe"]}).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(AnyclrError, match="label 'maybe' is not among the training labels"):
        read_manifest(tmp_path / "m.csv", class_names=["no", "yes"])


def test_cached_folder_builds_once_and_an_interrupted_build_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ANYCLR_CACHE", str(tmp_path / "cache"))
    calls = []

    def build(folder):
        calls.append(folder)
        (folder / "data.txt").write_text("made")

    first = cached_folder("set", build)
    again = cached_folder("set", build)
    assert first == again == tmp_path / "cache" / "set" and len(calls) == 1 and (first / "data.txt").read_text() == "made"

    def broken(folder):
        (folder / "half.txt").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached_folder("other", broken)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["set"]
