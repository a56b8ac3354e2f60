"""Checks shared by the evaluators: their settings, and clear errors for empty, mismatched or non-finite features.

Every evaluator checks its features here before any library call: NaN, infinite or overflow-prone
values never reach scikit-learn or libsvm (which can loop for a very long time on them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from anyclr.core.errors import AnyclrError
from anyclr.core.validate import Rule

# Squares of larger values overflow float32 (3.4e38): norms, distances and kernels would turn inf or 0.
MAX_ABS = 1e18


def check_setting(key: str, value: Any, rule: Rule) -> Any:
    """Return ``value`` if it fits ``rule``; else raise an :class:`AnyclrError` naming ``eval.<key>``."""
    if not rule.accepts(value):
        raise AnyclrError(f"eval.{key} must be {rule.describe()}, got {value!r}.", f"Set it in the recipe's [eval] section or with --set eval.{key}=…")
    return value


def check_grid(key: str, values: Sequence[float] | float, allow_inf: bool = False) -> list[float]:
    """Return a list of positive numbers (``inf`` allowed when ``allow_inf``), or raise naming ``eval.<key>``."""
    items = values if isinstance(values, (list, tuple)) else [values]
    ok = bool(items) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 and (math.isfinite(v) or (allow_inf and v == math.inf))
        for v in items
    )
    if not ok:
        raise AnyclrError(f"eval.{key} must be a list of positive numbers{' (inf allowed)' if allow_inf else ''}, got {values!r}.")
    return [float(v) for v in items]


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
    if x.size and float(np.abs(x).max()) > MAX_ABS:
        raise AnyclrError(
            f"{what} holds values as large as {float(np.abs(x).max()):.3g}, beyond what the protocols compute with "
            f"({MAX_ABS:g}: their squares overflow float32).",
            "Normalise the inputs (most datasets have a normalize setting) or check that training did not diverge.",
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
