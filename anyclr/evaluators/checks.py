"""Input checks shared by the evaluators: clear errors for empty, mismatched or non-finite features."""

from __future__ import annotations

import numpy as np

from anyclr.core.errors import AnyclrError


def check_features(x: np.ndarray, what: str) -> np.ndarray:
    """Return ``x`` as a finite 2-D float array or raise an :class:`AnyclrError` naming ``what``."""
    x = np.asarray(x)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise AnyclrError(f"{what} must be a [samples, features] matrix, got shape {tuple(x.shape)}.")
    if x.shape[0] == 0:
        raise AnyclrError(f"{what} has no samples.", "Check the dataset split used for evaluation.")
    if not np.issubdtype(x.dtype, np.number):
        raise AnyclrError(f"{what} is not numeric (dtype {x.dtype}).")
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).any(axis=1).sum())
        raise AnyclrError(
            f"{what} contains NaN or infinite values ({bad} of {x.shape[0]} samples).",
            "Training probably diverged: lower trainer.lr, keep trainer.grad_clip on, or check the inputs.",
        )
    return x


def check_pair(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, protocol: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check a labelled train/test pair; drop samples whose label is unknown (-1)."""
    train_x = check_features(train_x, f"{protocol}: the training features")
    test_x = check_features(test_x, f"{protocol}: the test features")
    train_y = np.asarray(train_y).reshape(-1).astype(np.int64)
    test_y = np.asarray(test_y).reshape(-1).astype(np.int64)
    if len(train_y) != len(train_x) or len(test_y) != len(test_x):
        raise AnyclrError(
            f"{protocol}: features and labels differ in length "
            f"(train {len(train_x)} vs {len(train_y)}, test {len(test_x)} vs {len(test_y)})."
        )
    if train_x.shape[1] != test_x.shape[1]:
        raise AnyclrError(f"{protocol}: train features have {train_x.shape[1]} dimensions but test features {test_x.shape[1]}.")
    keep_tr, keep_te = train_y >= 0, test_y >= 0
    if not keep_tr.any() or not keep_te.any():
        raise AnyclrError(
            f"{protocol} needs labels, but the {'training' if not keep_tr.any() else 'test'} samples have none.",
            "Use a labelled dataset, or evaluate with `--protocol rankme` only.",
        )
    return train_x[keep_tr], train_y[keep_tr], test_x[keep_te], test_y[keep_te]
