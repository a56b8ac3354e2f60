"""A panel of series from files (.ts, .arff, .tsv, .csv, .npy), with an optional separate test file."""

from __future__ import annotations

from anyclr.core.data import DataBundle
from anyclr.plugins.timeseries.datasets.panel import panels_to_bundle
from anyclr.plugins.timeseries.datasets.readers import read_panel


def load_file(
    path: str,
    test_path: str = "",
    label_column: str = "first",
    labels_path: str = "",
    test_labels_path: str = "",
    layout: str = "ntc",
    normalize: str = "channel",
    min_length: int = 2,
) -> DataBundle:
    """Series from a .ts, .arff, .tsv, .csv or .npy file (plus an optional test file of the same kind).

    Args:
        path: the training file. .ts/.arff are read by aeon (univariate or multivariate, unequal
            lengths allowed); .tsv/.csv hold one series per row, its label in the ``label_column``
            (``first``, ``last`` or ``none``), missing values empty/NaN/?; .npy holds ``[N, T]`` or
            ``[N, T, C]`` (``layout = "nct"`` for ``[N, C, T]``), labels from ``labels_path``.
        test_path: an optional test file; without one, evaluation holds out part of the training set.
        labels_path, test_labels_path: label files (.npy or one label per line) for the data files.
        normalize: ``channel`` (training statistics per channel), ``series`` or ``none``.
        min_length: reject series with fewer observed timestamps (default 2, the shortest TS2Vec crop).
    """
    train = read_panel(path, label_column, labels_path or None, layout)
    test = read_panel(test_path, label_column, test_labels_path or None, layout) if test_path else None
    return panels_to_bundle(train, test, normalize, min_length)
