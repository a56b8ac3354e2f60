"""scikit-learn's 8×8 digits read as 64-step series (the pixels row by row): a bundled set to pair with the images."""

from __future__ import annotations

import torch

from anyclr.core.data import DataBundle, TensorSamples
from anyclr.core.splits import split_indices
from anyclr.plugins.timeseries.datasets.panel import raw_features


def digits_series(test_fraction: float = 0.25, seed: int = 0) -> DataBundle:
    """sklearn's digits as [64, 1] series of grey levels in [0, 1], row by row; the image dataset's split for the same seed."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.from_numpy(data.images).float().div_(16.0).reshape(len(data.images), 64, 1)
    y = torch.from_numpy(data.target).long()
    train, test = split_indices(y, test_fraction, seed, what="data.test_fraction")
    names = [str(int(n)) for n in data.target_names]
    info = {
        "modality": "timeseries", "in_channels": 1, "seq_len": 64, "num_classes": 10, "class_names": names,
        "shortest_series_length": 64, "shortest_series": "digits", "source": "sklearn digits", "unequal_lengths": False,
    }  # fmt: skip
    ids = torch.arange(len(y))  # the digit's index in sklearn's set, to check pairing with the images
    return DataBundle(
        TensorSamples(x[train], y[train], {"id": ids[train]}),
        TensorSamples(x[test], y[test], {"id": ids[test]}),
        info=info,
        raw_features=raw_features,
    )
