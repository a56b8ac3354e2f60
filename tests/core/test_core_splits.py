"""The one split helper: stratified, seeded, and never holding out a class the rest lacks."""

from __future__ import annotations

import numpy as np
import pytest

from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices


def test_stratified_and_seeded():
    y = np.repeat([0, 1, 2], 20)
    rest, held = split_indices(y, 0.25, seed=3)
    assert len(held) == 15 and np.bincount(y[held.numpy()]).tolist() == [5, 5, 5]
    assert sorted(rest.tolist() + held.tolist()) == list(range(60))
    again = split_indices(y, 0.25, seed=3)
    assert again[0].tolist() == rest.tolist() and again[1].tolist() == held.tolist()


def test_a_class_with_one_sample_stays_in_the_rest():
    y = np.array([0] * 10 + [1] * 10 + [7])
    for seed in range(10):
        rest, held = split_indices(y, 0.25, seed=seed)
        assert 20 in rest.tolist() and 20 not in held.tolist()
        assert np.bincount(y[held.numpy()], minlength=2)[:2].tolist() == [3, 3]  # the others still stratified


def test_splits_without_singletons_are_unchanged():
    """Keeping singletons in the rest must not move any other dataset's split (runs stay reproducible)."""
    from sklearn.model_selection import train_test_split

    y = np.repeat([0, 1], [9, 7])
    rest, held = split_indices(y, 0.25, seed=1)
    ref_rest, ref_held = train_test_split(np.arange(16), test_size=4, random_state=1, stratify=y)
    assert held.tolist() == sorted(ref_held.tolist()) and rest.tolist() == sorted(ref_rest.tolist())


def test_too_few_samples():
    with pytest.raises(AnyclrError, match="Cannot split 1 sample"):
        split_indices(np.array([0]), 0.25)
    # Every class a singleton: nothing can be kept back, so a plain random split is what there is.
    rest, held = split_indices(np.arange(8), 0.25)
    assert len(held) == 2 and len(rest) == 6
