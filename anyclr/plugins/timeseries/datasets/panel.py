"""Turn read panels into a DataBundle: checks, NaN padding to one length, z-normalisation, integer labels."""

from __future__ import annotations

import numpy as np
import torch

from anyclr.core.data import DataBundle, TensorSamples
from anyclr.core.errors import AnyclrError
from anyclr.plugins.timeseries.datasets.readers import Panel

NORMALIZE = ("channel", "series", "none")
# Larger magnitudes overflow float32 once squared (z-normalisation, the encoder's arithmetic): refuse them.
MAX_ABS = 1e30


def check_panel(panel: Panel, min_length: int, channels: int | None = None, reference: str = "") -> int:
    """Raise for an empty series, one shorter than ``min_length`` or a channel count that differs; return channels."""
    if not panel.series:
        raise AnyclrError(f"{panel.source} holds no series.")
    for i, s in enumerate(panel.series):
        if s.ndim != 2 or s.shape[0] == 0:
            raise AnyclrError(f"{panel.where(i)}: the series is empty.")
        if channels is None:
            channels, reference = s.shape[1], panel.where(i)
        if s.shape[1] != channels:
            raise AnyclrError(
                f"{panel.where(i)}: {s.shape[1]} channel(s), but {reference} has {channels}.",
                "Every series must have the channels the encoder was trained on.",
            )
        check_values(panel, i)
        observed = int((~np.isnan(s).all(axis=1)).sum())
        if observed == 0:
            raise AnyclrError(f"{panel.where(i)}: the series is all missing (NaN).", "Remove it or fill in its values.")
        if observed < min_length:
            raise AnyclrError(
                f"{panel.where(i)}: the series has {observed} observed timestamp(s), fewer than data.min_length = {min_length}.",
                "Remove or lengthen it, or lower data.min_length (the TS2Vec crops need 2).",
            )
    return int(channels)


def check_values(panel: Panel, i: int) -> None:
    """Raise for an infinite value, or one too large to normalise and train with, naming where it is (NaN = missing)."""
    s = panel.series[i]
    bad = np.isinf(s) | (np.abs(np.nan_to_num(s)) > MAX_ABS)
    if not bad.any():
        return
    t, c = (int(v) for v in np.argwhere(bad)[0])
    value = float(s[t, c])
    where = f"{panel.where(i)}: value {t + 1}" + (f" of channel {c + 1}" if s.shape[1] > 1 else "")
    count = f" ({int(bad.sum())} such values in this series)" if bad.sum() > 1 else ""
    if np.isinf(value):
        raise AnyclrError(f"{where} is infinite{count}.", "Fix or remove it; missing values may be written as empty, NaN or ?.")
    raise AnyclrError(
        f"{where} is {value:g}{count}: values beyond ±{MAX_ABS:g} overflow float32 when normalised and trained on.",
        "Rescale the data (e.g. change its units), or mark the value as missing (NaN).",
    )


def check_test_labels(train: Panel, test: Panel) -> None:
    """Raise if test series carry labels that no training series has (no classifier could predict them)."""
    if train.labels is None or test.labels is None:
        return
    known = set(train.labels)
    unseen = [i for i, label in enumerate(test.labels) if label not in known]
    if not unseen:
        return
    names = sorted({test.labels[i] for i in unseen})
    shown = ", ".join(repr(n) for n in names[:5]) + (" …" if len(names) > 5 else "")
    raise AnyclrError(
        f"{test.where(unseen[0])}: label {test.labels[unseen[0]]!r} does not occur in {train.source}; "
        f"{len(unseen)} of {len(test.labels)} test series have labels the training series lack ({shown}).",
        "A classifier trained on the training series cannot predict them: remove those series, add training series "
        "of those classes, or check which column holds the labels (data.label_column).",
    )


def pad(series: list[np.ndarray], length: int) -> np.ndarray:
    """Stack ``[T_i, C]`` series into ``[N, length, C]``, padding the end of shorter ones with NaN."""
    out = np.full((len(series), length, series[0].shape[1]), np.nan, dtype=np.float32)
    for i, s in enumerate(series):
        out[i, : s.shape[0]] = s[:length]
    return out


def normalize(train: np.ndarray, others: list[np.ndarray], mode: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """Z-normalise per channel with training statistics (``channel``), per series (``series``), or not (``none``)."""
    if mode == "none":
        return train, others
    if mode == "channel":  # TS2Vec's UEA scaling: one mean/std per channel over all training values
        mean = np.nanmean(train, axis=(0, 1), keepdims=True)
        std = np.nanstd(train, axis=(0, 1), keepdims=True)
        std = np.where(std > 0, std, 1.0)
        return (train - mean) / std, [(o - mean) / std for o in others]
    if mode == "series":  # the UCR archive's convention: every series and channel on its own
        def z(a: np.ndarray) -> np.ndarray:
            mean = np.nanmean(a, axis=1, keepdims=True)
            std = np.nanstd(a, axis=1, keepdims=True)
            return (a - mean) / np.where(std > 0, std, 1.0)

        return z(train), [z(o) for o in others]
    raise AnyclrError(f"data.normalize must be one of {', '.join(NORMALIZE)}, got {mode!r}.")


def encode_labels(train: list[str] | None, test: list[str] | None) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
    """Map string labels to 0..K-1 (numeric labels in numeric order); test labels unseen in train become -1.

    (:func:`panels_to_bundle` refuses unseen test labels before it gets here; -1 means unknown.)
    """
    if train is None:
        return None, None, []

    def key(v: str) -> tuple[int, float, str]:
        try:
            return (0, float(v), v)
        except ValueError:
            return (1, 0.0, v)

    classes = sorted(set(train), key=key)
    index = {c: i for i, c in enumerate(classes)}
    y_train = np.array([index[v] for v in train], dtype=np.int64)
    y_test = np.array([index.get(v, -1) for v in test], dtype=np.int64) if test is not None else None
    return y_train, y_test, classes


def raw_features(x: torch.Tensor) -> torch.Tensor:
    """The raw-input baseline's features: the series flattened, missing values as 0."""
    return torch.nan_to_num(x.float(), nan=0.0).reshape(x.shape[0], -1)


def panels_to_bundle(train: Panel, test: Panel | None, normalize_mode: str = "channel", min_length: int = 2) -> DataBundle:
    """Check, pad, normalise and label the panels; return a bundle of ``[N, T, C]`` float tensors."""
    if normalize_mode not in NORMALIZE:
        raise AnyclrError(f"data.normalize must be one of {', '.join(NORMALIZE)}, got {normalize_mode!r}.")
    channels = check_panel(train, min_length)
    if test is not None:
        check_panel(test, min_length, channels, train.source)
        check_test_labels(train, test)
    every = train.series + (test.series if test is not None else [])
    length = max(s.shape[0] for s in every)
    x_train = pad(train.series, length)
    others = [pad(test.series, length)] if test is not None else []
    x_train, others = normalize(x_train, others, normalize_mode)
    y_train, y_test, classes = encode_labels(train.labels, test.labels if test is not None else None)
    if train.labels is not None and test is not None and test.labels is None:
        y_test = np.full(len(test.series), -1, dtype=np.int64)
    observed = [int((~np.isnan(s).all(axis=1)).sum()) for s in every]
    shortest = int(np.argmin(observed))
    where = train.where(shortest) if shortest < len(train.series) else test.where(shortest - len(train.series))

    def samples(x: np.ndarray, y: np.ndarray | None) -> TensorSamples:
        return TensorSamples(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), torch.from_numpy(y) if y is not None else None)

    info = {
        "modality": "timeseries",
        "in_channels": channels,
        "seq_len": length,
        "num_classes": len(classes),
        "class_names": classes,
        "shortest_series_length": observed[shortest],
        "shortest_series": where,
        "source": train.source,
        "unequal_lengths": len(set(observed)) > 1,
    }
    return DataBundle(
        train=samples(x_train, y_train),
        test=samples(others[0], y_test) if test is not None else None,
        info=info,
        raw_features=raw_features,
    )
