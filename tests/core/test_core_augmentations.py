"""The augmentation contract: sample, then apply; the generic compose views; parameters shared across streams."""

from __future__ import annotations

import pytest
import torch
from conftest import FAST, make_registry

from anyclr.core.build import build_views
from anyclr.core.config import load, resolve
from anyclr.core.errors import AnyclrError
from anyclr.core.views import Compose, Step, shared_params
from anyclr.views import plugin as views_plugin


@pytest.fixture
def registry():
    return make_registry(("views", views_plugin))


def test_same_params_give_the_same_view(registry):
    aug = registry.get("augmentation", "tiny-noise").factory(sigma=1.0, p=0.5)
    x = torch.randn(16, 8)
    params = aug.sample(x, torch.Generator().manual_seed(0))
    assert torch.equal(aug.apply(x, params), aug.apply(x, params))
    assert not torch.equal(aug.apply(x, params), x)  # p = 0.5 of 16 samples: some are changed …
    assert (aug.apply(x, params) == x).all(1).any()  # … and some are not


def test_compose_builds_named_augmentations_from_the_recipe(registry):
    _, cfg = load("tiny", registry)
    cfg["views"] = {"name": "compose", "augmentations": [{"name": "tiny-noise", "sigma": 0.1}, {"name": "tiny-noise", "sigma": 2.0}]}
    views = build_views(registry, resolve(cfg), {})
    assert isinstance(views, Compose) and len(views.pipelines) == 2 and len(views.pipelines[0]) == 2
    torch.manual_seed(0)
    a, b = views(torch.zeros(64, 8))
    assert 1.5 < a.std() < 2.5 and not torch.equal(a, b)


def test_per_view_pipelines(registry):
    _, cfg = load("tiny", registry)
    cfg["views"] = {"name": "compose", "augmentations": [[{"name": "tiny-noise", "sigma": 0.01}], [{"name": "tiny-noise", "sigma": 3.0}]]}
    a, b = build_views(registry, resolve(cfg), {})(torch.zeros(256, 8))
    assert a.std() < 0.05 and b.std() > 2


def test_unknown_augmentation_suggests_names(registry):
    _, cfg = load("tiny", registry)
    cfg["views"] = {"name": "compose", "augmentations": [{"name": "tiny-nois"}]}
    with pytest.raises(AnyclrError, match="Unknown augmentation 'tiny-nois'") as err:
        build_views(registry, resolve(cfg), {})
    assert "tiny-noise" in err.value.hint


def test_unknown_augmentation_key_names_the_table(registry):
    _, cfg = load("tiny", registry)
    cfg["views"] = {"name": "compose", "augmentations": [{"name": "tiny-noise", "sigmaa": 1}]}
    with pytest.raises(AnyclrError, match=r"views\.augmentations\[0\]\.sigmaa") as err:
        build_views(registry, resolve(cfg), {})
    assert "sigma" in err.value.hint


def test_shared_key_reuses_parameters_across_streams_within_a_step(registry):
    noise = registry.get("augmentation", "tiny-noise").factory
    stream_a = Compose([[Step(noise(sigma=1.0), share="n")]], n_views=2)
    stream_b = Compose([[Step(noise(sigma=1.0), share="n")]], n_views=2)
    x = torch.zeros(8, 4)
    with shared_params():
        va, vb = stream_a(x), stream_b(x)
    assert torch.equal(va[0], vb[0]) and torch.equal(va[1], vb[1]) and not torch.equal(va[0], va[1])
    with shared_params():
        again = stream_b(x)
    assert not torch.equal(again[0], vb[0])  # a new step draws anew


def test_compose_trains_end_to_end(registry, tmp_path):
    from anyclr.api import train

    sets = [*FAST, "views.name=\"compose\"", "views.augmentations=[{name = \"tiny-noise\", sigma = 0.3}]", "trainer.epochs=1"]
    summary = train("tiny", sets, run_dir=tmp_path / "run", registry=registry, progress=False, print_table=False)
    assert summary["steps"] == 4 and summary["final_loss"] > 0
