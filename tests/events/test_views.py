"""Event augmentations: the sample/apply contract, batched (no per-sample loop), and what each one promises."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from anyclr.plugins.events.batch import MASK_CODE, EventSequence, pad_sequences
from anyclr.plugins.events.views.coles import ColesViews
from anyclr.plugins.events.views.event_dropout import EventDropout
from anyclr.plugins.events.views.field_mask import FieldMask
from anyclr.plugins.events.views.slice import RandomSlice
from anyclr.plugins.events.views.time_shift import TimeShift
from anyclr.plugins.events.views.time_warp import TimeWarp
from tests.augmentation_checks import count_ops, same

AUGMENTATIONS = {
    "slice": lambda: RandomSlice(3, 8),
    "dropout": lambda: EventDropout(0.3, p=0.7),
    "time-shift": lambda: TimeShift(3600.0, p=0.5),
    "time-warp": lambda: TimeWarp(1.5, p=0.5),
    "field-mask": lambda: FieldMask(0.3, p=0.8),
}


def batch(n: int = 6, seed: int = 0):
    """Entities of 1 to 14 events; event ``k`` of entity ``i`` has time 1000*i + 10*k, code 100+k, amount k."""
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        length = int(rng.integers(1, 15))
        k = np.arange(length)
        items.append(EventSequence((1000.0 * i + 10.0 * k), np.stack([100 + k, 200 + k], 1).astype(np.int64), k[:, None].astype(np.float32)))
    return pad_sequences(items)


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_same_params_same_view_and_generator_decides(name):
    aug = AUGMENTATIONS[name]()
    x = batch()
    params = aug.sample(x, torch.Generator().manual_seed(1))
    assert same(aug.apply(x, params), aug.apply(x, params))
    again = aug.sample(x, torch.Generator().manual_seed(1))
    assert same(params, again)
    other = aug.sample(x, torch.Generator().manual_seed(2))
    assert not same(params, other)


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_no_per_sample_python_loop(name):
    aug = AUGMENTATIONS[name]()
    small, large = batch(4), batch(64, seed=1)
    g = torch.Generator().manual_seed(0)
    assert count_ops(lambda: aug(small, g)) == count_ops(lambda: aug(large, g))


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_padding_stays_padding(name):
    out = AUGMENTATIONS[name]()(batch(), torch.Generator().manual_seed(3))
    pad = ~out.mask()
    assert (out.lengths >= 1).all() and (out.time[pad] == 0).all() and (out.categorical[pad] == 0).all()


def test_slices_are_contiguous_runs_within_length_bounds():
    x = batch(32, seed=4)
    out = RandomSlice(3, 8)(x, torch.Generator().manual_seed(0))
    for i in range(len(x)):
        n, m = int(x.lengths[i]), int(out.lengths[i])
        assert min(3, n) <= m <= min(8, n)
        k = out.numeric[i, :m, 0]
        assert torch.equal(k, torch.arange(int(k[0]), int(k[0]) + m, dtype=k.dtype))  # consecutive events
        assert int(k[-1]) < n


def test_dropout_keeps_order_and_one_event():
    x = batch(16, seed=5)
    out = EventDropout(0.9)(x, torch.Generator().manual_seed(0))
    assert (out.lengths >= 1).all() and (out.lengths <= x.lengths).all() and (out.lengths < x.lengths).any()
    for i in range(len(x)):
        t = out.time[i, : int(out.lengths[i])]
        assert (torch.diff(t) > 0).all()


def test_time_shift_moves_times_and_keeps_gaps_while_warp_scales_gaps():
    x = batch(8, seed=6)
    shifted = TimeShift(100.0)(x, torch.Generator().manual_seed(0))
    mask = x.mask()
    delta = (shifted.time - x.time)[mask]
    assert delta.abs().max() <= 100 and delta.abs().max() > 0
    gaps = lambda b: torch.diff(b.time, dim=1)[mask[:, 1:]]  # noqa: E731
    assert torch.allclose(gaps(shifted), gaps(x))
    warped = TimeWarp(2.0)(x, torch.Generator().manual_seed(0))
    ratio = gaps(warped) / gaps(x)
    assert ratio.min() >= 0.5 - 1e-9 and ratio.max() <= 2.0 + 1e-9 and torch.allclose(warped.time[:, 0], x.time[:, 0])


def test_field_mask_hides_values_as_unknown_and_missing():
    x = batch(8, seed=7)
    out = FieldMask(0.5)(x, torch.Generator().manual_seed(0))
    hidden = out.categorical == MASK_CODE
    assert hidden.any() and (hidden == ~torch.eq(out.categorical, x.categorical)).all()
    assert out.numeric.isnan().any() and not out.numeric[~x.mask()].isnan().any()


def test_coles_views_give_n_slices_per_entity():
    torch.manual_seed(0)
    views = ColesViews(n_views=4, min_len=2, max_len=5)(batch(10, seed=8))
    assert len(views) == 4 and all(len(v) == 10 for v in views)
    assert all(int(v.lengths.max()) <= 5 for v in views)
    assert not same(views[0], views[1])
