"""Time-series augmentations as components: the sample/apply contract, SeriesView, and compose recipes."""

from __future__ import annotations

import pytest
import torch
from augmentation_checks import count_ops, same, tensors_in

import anyclr.evaluators.plugin
import anyclr.heads.plugin
import anyclr.objectives.plugin
import anyclr.plugins.timeseries.plugin
import anyclr.views.plugin
from anyclr.core.data import batch_size_of, to_device
from anyclr.core.registry import Registry
from anyclr.core.views import Compose, Step
from anyclr.plugins.timeseries.series import SeriesView, values
from anyclr.plugins.timeseries.views.slice_warp import SliceWarpViews
from anyclr.plugins.timeseries.views.tstcc import TSTCCViews

# The plug-ins these tests need, without loading every installed one.
PLUGINS = (
    anyclr.objectives.plugin,
    anyclr.heads.plugin,
    anyclr.evaluators.plugin,
    anyclr.views.plugin,
    anyclr.plugins.timeseries.plugin,
)
REGISTRY = Registry([(m.__name__, m) for m in PLUGINS], entry_points=False)

# Settings under which each augmentation's randomness shows; p < 1 also draws which series are changed.
SETTINGS = {
    "timeseries-jitter": {"sigma": 0.5, "p": 0.75},
    "timeseries-scaling": {"p": 0.75},
    "timeseries-permutation": {"p": 0.75},
    "timeseries-window-slice": {"ratio": 0.7, "p": 0.75},
    "timeseries-window-warp": {"ratio": 0.3, "p": 0.75},
    "timeseries-frequency-mask": {"ratio": 0.3, "p": 0.75},
    "timeseries-frequency-add": {"ratio": 0.3, "strength": 0.5, "p": 0.75},
    "timeseries-timestamp-mask": {"p": 0.75},
}
MASK = "timeseries-timestamp-mask"  # the one that leaves the values alone and returns a SeriesView


def build(name: str, **changes):
    return REGISTRY.get("augmentation", name).factory(**{**SETTINGS[name], **changes})


def series(b: int = 16, t: int = 40, dtype: torch.dtype = torch.float32, seed: int = 0) -> torch.Tensor:
    """Random series with a shorter one (padded at the end with NaN) and a gap in one channel."""
    x = torch.randn(b, t, 2, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    x[3, 30:] = float("nan")
    x[5, 10:14, 0] = float("nan")
    return x


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_every_timeseries_augmentation_is_covered():
    assert {c.name for c in REGISTRY.components("augmentation", "timeseries")} == set(SETTINGS)


@pytest.mark.parametrize("name", SETTINGS)
def test_same_params_give_the_same_view_and_apply_draws_nothing(name):
    aug, x = build(name), series()
    params = aug.sample(x, seeded(0))
    state = torch.get_rng_state()
    first, second = aug.apply(x, params), aug.apply(x, params)
    assert torch.equal(torch.get_rng_state(), state)  # apply is deterministic: all randomness is in the params
    assert same(first, second)
    assert not same(first, aug.apply(x, aug.sample(x, seeded(1))))  # and the params matter


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_output_shape_dtype_and_missing_values(name, dtype):
    x = series(dtype=dtype)
    out = build(name)(x, seeded(0))
    if name == MASK:
        assert isinstance(out, SeriesView) and out.x is x
        assert out.keep.shape == (16, 40) and out.keep.dtype == torch.bool and not bool(out.keep.all())
        return
    assert isinstance(out, torch.Tensor) and out.shape == x.shape and out.dtype == dtype
    # Missing values stay missing; the end padding of a shorter series stays at its end.
    if name == "timeseries-permutation":  # it moves values with their timestamps
        assert torch.equal(out.isnan().sum(dim=(1, 2)), x.isnan().sum(dim=(1, 2)))
    elif name in ("timeseries-window-slice", "timeseries-window-warp"):  # they move a gap inside a series
        others = torch.arange(16) != 5
        assert torch.equal(out[others].isnan(), x[others].isnan())
    else:
        assert torch.equal(out.isnan(), x.isnan())


@pytest.mark.parametrize("name", SETTINGS)
def test_parameters_are_per_sample(name):
    # One series repeated: the samples differ only by their parameters.
    x = series()[:1].expand(32, -1, -1).contiguous()
    out = build(name, p=1.0)(x, seeded(0))
    rows = (out.keep if name == MASK else out.nan_to_num()).flatten(1)
    assert rows.unique(dim=0).shape[0] > 8  # window starts are whole steps: 13 choices for the slice


@pytest.mark.parametrize("name", SETTINGS)
def test_p_leaves_the_other_series_exactly_alone(name):
    aug, x = build(name, p=0.5), series(b=64)
    out = aug(x, seeded(2))
    changed = ~(out.keep.all(dim=1) if name == MASK else (out.nan_to_num() == x.nan_to_num()).flatten(1).all(dim=1))
    assert 16 < int(changed.sum()) < 48


@pytest.mark.parametrize("name", SETTINGS)
def test_generator_makes_sample_reproducible_and_leaves_the_global_rng_alone(name):
    aug, x = build(name), series()
    state = torch.get_rng_state()
    a, b = aug.sample(x, seeded(7)), aug.sample(x, seeded(7))
    assert torch.equal(torch.get_rng_state(), state)
    assert same(a, b) and not same(a, aug.sample(x, seeded(8)))


@pytest.mark.parametrize("name", SETTINGS)
def test_runs_on_the_inputs_device_without_host_syncs(name):
    # Meta tensors have no data: reading a value on the host (a sync on accelerators) or mixing devices fails.
    aug, x = build(name), torch.empty(8, 40, 2, device="meta")
    params = aug.sample(x)
    assert tensors_in(params) and all(t.device.type == "meta" for t in tensors_in(params))
    assert values(aug.apply(x, params)).device.type == "meta"


@pytest.mark.parametrize("name", SETTINGS)
def test_no_per_sample_python_loop(name):
    aug = build(name)
    ops = [count_ops(lambda x=x: aug.apply(x, aug.sample(x, seeded(3)))) for x in (series(b=8), series(b=64))]
    assert ops[0] == ops[1]


@pytest.mark.parametrize("name", SETTINGS)
def test_series_views_keep_what_they_carry(name):
    x = series()
    keep = torch.rand(16, 40, generator=seeded(4)) < 0.8
    view = SeriesView(x, keep=keep, overlap=(2, 30))
    out = build(name, p=1.0)(view, seeded(5))
    assert isinstance(out, SeriesView) and out.overlap == (2, 30)
    if name == MASK:
        assert out.x is x and bool((out.keep <= keep).all()) and out.keep.sum() < keep.sum()  # masks combine
    else:
        assert out.keep is keep and same(out.x, build(name, p=1.0)(x, seeded(5)))


def test_series_view_moves_and_counts_like_a_batch():
    view = SeriesView(series(), keep=torch.ones(16, 40, dtype=torch.bool), window=(torch.zeros(16, dtype=torch.long), 8))
    moved = to_device(view, "meta")
    assert isinstance(moved, SeriesView) and moved.x.device.type == moved.keep.device.type == "meta"
    assert moved.window[0].device.type == "meta" and moved.window[1] == 8
    assert batch_size_of(view) == 16 and view["x"] is view.x  # dict-style reads still work during the transition


def test_composites_draw_through_the_components():
    get = REGISTRY.get
    x = series()
    weak_strong = Compose(
        [
            [Step(get("augmentation", "timeseries-scaling").factory())],
            [Step(get("augmentation", "timeseries-permutation").factory()), Step(get("augmentation", "timeseries-jitter").factory())],
        ]
    )
    slice_warp = Compose(
        [[Step(get("augmentation", "timeseries-window-slice").factory()), Step(get("augmentation", "timeseries-window-warp").factory())]]
    )
    for composite, compose in ((TSTCCViews(), weak_strong), (SliceWarpViews(), slice_warp)):
        torch.manual_seed(3)
        expected = composite(x)
        torch.manual_seed(3)
        assert same(compose(x), expected)


def test_compose_recipe_trains_a_step(tmp_path):
    import anyclr.api

    sets = [
        "data.name=ItalyPowerDemand",
        'views.name="compose"',
        'views.augmentations=[{name = "timeseries-jitter", sigma = 0.1}, {name = "timeseries-timestamp-mask", mask_p = 0.7}]',
        "trainer.epochs=1",
        "trainer.max_steps_per_epoch=2",
        "trainer.threads=1",
        "eval.protocols=[]",
        "eval.baselines=[]",
        "eval.plots=false",
    ]
    summary = anyclr.api.train("timeseries-ts2vec", sets, run_dir=tmp_path / "run", progress=False, print_table=False, registry=REGISTRY)
    assert summary["steps"] == 2 and torch.isfinite(torch.tensor(summary["final_loss"]))
