"""Time-series views: shapes, the crops' overlap, per-sample randomness, NaN kept as missing."""

import pytest
import torch

from anyclr.core.errors import AnyclrError
from anyclr.plugins.timeseries.views.contextual_crops import ContextualCrops
from anyclr.plugins.timeseries.views.frequency_add import FrequencyAdd
from anyclr.plugins.timeseries.views.frequency_mask import FrequencyMask
from anyclr.plugins.timeseries.views.permutation import Permutation
from anyclr.plugins.timeseries.views.slice_warp import SliceWarpViews
from anyclr.plugins.timeseries.views.tfc import FrequencyViews
from anyclr.plugins.timeseries.views.timestamp_mask import timestamp_mask
from anyclr.plugins.timeseries.views.tstcc import TSTCCViews
from anyclr.plugins.timeseries.views.window_slice import WindowSlice
from anyclr.plugins.timeseries.views.window_warp import WindowWarp


def stamped(b=16, t=50, c=2):
    """Series whose value at (sample, step) encodes both, so a view reveals where it came from."""
    base = torch.arange(b)[:, None] * 1000.0 + torch.arange(t)[None, :]
    return base[..., None].repeat(1, 1, c)


def test_crops_overlap_the_same_timestamps():
    torch.manual_seed(0)
    x = stamped()
    for _ in range(20):
        v1, v2 = ContextualCrops()(x)
        (s1, n1), (s2, n2) = v1.overlap, v2.overlap
        assert n1 == n2 >= 2 and s2 == 0 and s1 + n1 == v1.x.shape[1]
        torch.testing.assert_close(v1.x[:, s1 : s1 + n1], v2.x[:, s2 : s2 + n2])
        assert v1.keep.shape == v1.x.shape[:2] and v1.keep.dtype == torch.bool
        # Every window is contiguous and comes from its own sample.
        steps = v1.x[..., 0] % 1000
        assert bool((steps.diff(dim=1) == 1).all())
        assert bool(((v1.x[..., 0] // 1000) == torch.arange(16)[:, None]).all())


def test_crops_offsets_differ_per_sample():
    torch.manual_seed(1)
    starts = set()
    for _ in range(5):
        v1, _ = ContextualCrops()(stamped(t=200))
        starts |= {tuple((v1.x[:, 0, 0] % 1000).tolist())}
    assert any(len(set(s)) > 1 for s in starts)


def test_crops_cut_long_series_to_max_length():
    v1, v2 = ContextualCrops(max_length=16)(stamped(t=100))
    assert v1.x.shape[1] <= 16 and v2.x.shape[1] <= 16


def test_crops_reject_series_too_short():
    with pytest.raises(AnyclrError, match=r"data/x\.tsv, line 4 has only 1 observed"):
        ContextualCrops(shortest_series_length=1, shortest_series="data/x.tsv, line 4")
    with pytest.raises(AnyclrError, match="at least 4"):
        ContextualCrops(temporal_unit=1)(torch.randn(2, 3, 1))


def test_timestamp_masks():
    torch.manual_seed(0)
    m = timestamp_mask(64, 100, "binomial", 0.5)
    assert 0.4 < m.float().mean() < 0.6
    assert not torch.equal(m[0], m[1])
    c = timestamp_mask(8, 100, "continuous")
    assert c.shape == (8, 100) and 0.5 <= c.float().mean() < 1.0
    assert bool(timestamp_mask(2, 5, "all_true").all())


def test_permutation_shuffles_segments_per_sample():
    torch.manual_seed(0)
    x = stamped(b=32, t=40, c=1)
    out = Permutation(max_segments=5)(x)
    steps = out[..., 0] % 1000
    assert bool((steps.sort(dim=1).values == torch.arange(40)).all())  # a permutation of each series
    breaks = (steps.diff(dim=1) != 1).sum(dim=1)
    assert int(breaks.max()) <= 3 and len(set(breaks.tolist())) > 1  # up to 4 segments, per-sample counts


def test_tstcc_views():
    torch.manual_seed(0)
    x = torch.randn(8, 30, 3)
    x[0, 20:] = float("nan")
    weak, strong = TSTCCViews()(x)
    assert weak.shape == strong.shape == x.shape
    assert torch.isnan(weak[0, 20:]).all() and not torch.isnan(weak[0, :20]).any()
    assert int(torch.isnan(strong).sum()) == int(torch.isnan(x).sum())


def test_frequency_views_keep_shape_and_missing():
    torch.manual_seed(0)
    x = torch.randn(8, 64, 2)
    x[3, 50:] = float("nan")
    for out in (FrequencyMask(0.1)(x), FrequencyAdd(0.1)(x), *FrequencyViews()(x)):
        assert out.shape == x.shape
        assert torch.equal(torch.isnan(out), torch.isnan(x))
    assert not torch.allclose(FrequencyMask(0.3)(x[:1, :50]), x[:1, :50])
    torch.testing.assert_close(FrequencyMask(0.0)(x[:1, :50]), x[:1, :50], atol=1e-5, rtol=0)


def test_window_slice_and_warp_follow_each_series_length():
    torch.manual_seed(0)
    x = torch.linspace(0, 1, 40)[None, :, None].repeat(4, 1, 1)
    x[1, 25:] = float("nan")
    for out in (WindowSlice(0.9)(x), WindowWarp(0.1)(x), *SliceWarpViews()(x)):
        assert out.shape == x.shape
        assert torch.equal(torch.isnan(out), torch.isnan(x))
        assert bool((out[0].diff(dim=0) >= -1e-6).all())  # a ramp stays monotone
    sliced = WindowSlice(0.5)(x)
    assert float(sliced[0].max() - sliced[0].min()) < 0.6
