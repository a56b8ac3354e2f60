"""The one split helper: hold out a seeded fraction of samples, stratified by label, or by group when given."""

from __future__ import annotations

import math

import numpy as np
import torch

from anyclr.core.errors import AnyclrError


def split_indices(
    labels: torch.Tensor | np.ndarray,
    fraction: float,
    seed: int = 0,
    groups: torch.Tensor | np.ndarray | None = None,
    what: str = "test_fraction",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return sorted index tensors ``(rest, held)`` with about ``fraction`` of the samples held out.

    Stratified by label when every label is known and both parts can hold every class; samples of a class
    with only one sample always stay in ``rest`` (a held-out sample of a class the rest lacks cannot be
    classified); a plain seeded random split otherwise (unknown labels, or no class with two samples). With ``groups`` (speaker, video, patient …)
    whole groups are held out, so no group is on both sides. ``what`` names the setting in errors.
    """
    y = np.asarray(labels.numpy() if isinstance(labels, torch.Tensor) else labels).reshape(-1)
    n = len(y)
    if not 0.0 < float(fraction) < 1.0:
        raise AnyclrError(f"{what} must be between 0 and 1 (exclusive), got {fraction}.")
    if n < 2:
        raise AnyclrError(f"Cannot split {n} sample(s) by {what} = {fraction}: at least 2 are needed.", "Add data, or give a separate test set.")
    idx = np.arange(n)
    if groups is not None:
        from sklearn.model_selection import GroupShuffleSplit

        g = np.asarray(groups.numpy() if isinstance(groups, torch.Tensor) else groups).reshape(-1)
        if len(g) != n:
            raise AnyclrError(f"{len(g)} group values for {n} samples.")
        if len(np.unique(g)) < 2:
            raise AnyclrError(f"Cannot split by group with {what} = {fraction}: every sample is in one group.")
        rest, held = next(GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed).split(idx, groups=g))
        return torch.as_tensor(np.sort(rest)), torch.as_tensor(np.sort(held))
    from sklearn.model_selection import train_test_split

    labelled = bool((y >= 0).all())
    classes, counts = np.unique(y, return_counts=True)
    # A class with one sample cannot be on both sides: it stays in the rest, where a probe can learn it.
    alone = np.isin(y, classes[counts == 1]) if labelled else np.zeros(n, dtype=bool)
    if (~alone).sum() < 2:
        alone[:] = False
    pool, kept = idx[~alone], idx[alone]
    n_held = min(max(1, math.ceil(n * float(fraction) - 1e-9)), len(pool) - 1)  # as scikit-learn rounds a float test_size
    n_classes = len(np.unique(y[pool]))
    smallest = int(np.unique(y[pool], return_counts=True)[1].min())
    can_stratify = labelled and smallest >= 2 and n_held >= n_classes and len(pool) - n_held >= n_classes
    rest, held = train_test_split(pool, test_size=n_held, random_state=seed, stratify=y[pool] if can_stratify else None)
    return torch.as_tensor(np.sort(np.concatenate([rest, kept]))), torch.as_tensor(np.sort(held))
