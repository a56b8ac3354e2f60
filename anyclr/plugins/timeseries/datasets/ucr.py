"""UCR/UEA classification sets by name: aeon's bundled copies, or a local archive folder (never a download)."""

from __future__ import annotations

from pathlib import Path

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.plugins.timeseries.datasets.bundled import aeon_data_dir, check_bundled
from anyclr.plugins.timeseries.datasets.panel import panels_to_bundle
from anyclr.plugins.timeseries.datasets.readers import Panel, data_lines, read_panel


def _aeon_split(name: str, split: str) -> Panel:
    """Read one split of a bundled set through ``aeon.datasets.load_classification``."""
    from aeon.datasets import load_classification

    X, y = load_classification(name, split=split)
    series = [case.T.astype("float64") for case in X]  # aeon cases are [C, T]
    root = aeon_data_dir()
    path = (root / name / f"{name}_{split.upper()}.ts") if root is not None else None
    if path is not None and path.is_file():
        lines = data_lines(path)
        rows = [f"line {lines[i]}" if i < len(lines) else f"case {i + 1}" for i in range(len(series))]
        source = str(path)
    else:
        rows, source = [f"case {i + 1}" for i in range(len(series))], f"{name} ({split} split)"
    return Panel(series, [str(v) for v in y], source, rows)


def load_ucr(dataset: str, normalize: str = "channel", min_length: int = 2, extract_path: str = "") -> DataBundle:
    """UCR/UEA classification set by name (train and test splits); nothing is downloaded.

    Args:
        dataset: the set's name, e.g. ``GunPoint`` or ``BasicMotions`` (aeon bundles a few; see the error
            for an unknown name).
        normalize: ``channel`` (default: z-score each channel with training statistics, TS2Vec's UEA
            scaling), ``series`` (each series on its own) or ``none``.
        min_length: reject series with fewer observed timestamps (default 2, the shortest TS2Vec crop).
        extract_path: a folder holding ``<dataset>/<dataset>_TRAIN.ts`` and ``_TEST.ts`` (a local copy
            of the archive); empty = aeon's bundled sets.
    """
    if extract_path:
        folder = Path(extract_path).expanduser() / dataset
        train_file, test_file = folder / f"{dataset}_TRAIN.ts", folder / f"{dataset}_TEST.ts"
        if not train_file.is_file() or not test_file.is_file():
            raise AnyclrError(
                f"{folder} does not hold {train_file.name} and {test_file.name}.",
                "Check data.extract_path and data.dataset (names are case-sensitive).",
            )
        train, test = read_panel(train_file), read_panel(test_file)
    else:
        name = check_bundled(dataset)
        train, test = _aeon_split(name, "train"), _aeon_split(name, "test")
    bundle = panels_to_bundle(train, test, normalize, min_length)
    bundle.info["dataset"] = dataset
    return bundle

