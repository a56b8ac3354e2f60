"""Image augmentations as components: the sample/apply contract, and compose recipes built from them."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from augmentation_checks import count_ops, same, tensors_in

import anyclr.heads.plugin
import anyclr.objectives.plugin
import anyclr.plugins.image.plugin
import anyclr.views.plugin
from anyclr.core.registry import Registry
from anyclr.core.views import Compose, Step
from anyclr.plugins.image.views.simclr import SimCLRViews

# The plug-ins these tests need, without loading every installed one.
REGISTRY = Registry(
    [(m.__name__, m) for m in (anyclr.objectives.plugin, anyclr.heads.plugin, anyclr.views.plugin, anyclr.plugins.image.plugin)],
    entry_points=False,
)

# Settings under which each augmentation's randomness shows (coins at 1/2, the crop resizing to 12 px).
SETTINGS = {
    "image-resized-crop": {"image_size": 12, "scale": [0.2, 1.0]},
    "image-flip": {"p": 0.5},
    "image-color-jitter": {"p": 0.8},
    "image-grayscale": {"p": 0.5},
    "image-blur": {"p": 0.5},
    "image-solarize": {"p": 0.5},
}


def build(name: str, **changes):
    return REGISTRY.get("augmentation", name).factory(**{**SETTINGS[name], **changes})


def images(b: int = 16, size: int = 16, seed: int = 0, device: str = "cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (b, 3, size, size), generator=g, dtype=torch.uint8).to(device)


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_every_image_augmentation_is_covered():
    registered = {c.name for c in REGISTRY.components("augmentation", "image")}
    assert registered == set(SETTINGS)


@pytest.mark.parametrize("name", SETTINGS)
def test_same_params_give_the_same_view_and_apply_draws_nothing(name):
    aug, x = build(name), images()
    params = aug.sample(x, seeded(0))
    state = torch.get_rng_state()
    first, second = aug.apply(x, params), aug.apply(x, params)
    assert torch.equal(torch.get_rng_state(), state)  # apply is deterministic: all randomness is in the params
    assert torch.equal(first, second)
    assert not torch.equal(first, aug.apply(x, aug.sample(x, seeded(1))))  # and the params matter


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_output_shape_dtype_and_range(name, dtype):
    x = images()
    if dtype == torch.float32:
        x = x.float() / 255
    out = build(name)(x, seeded(0))
    size = 12 if name == "image-resized-crop" else 16
    assert out.shape == (16, 3, size, size) and out.dtype == torch.float32
    assert float(out.min()) >= -1e-6 and float(out.max()) <= 1 + 1e-6  # bilinear resampling may round past 1


@pytest.mark.parametrize("name", SETTINGS)
def test_parameters_are_per_sample(name):
    # One image repeated: the samples differ only by their parameters.
    x = images(b=1).expand(32, -1, -1, -1).contiguous()
    out = build(name)(x, seeded(0)).flatten(1)
    assert out.unique(dim=0).shape[0] > 1


@pytest.mark.parametrize("name", SETTINGS)
def test_generator_makes_sample_reproducible_and_leaves_the_global_rng_alone(name):
    aug, x = build(name), images()
    state = torch.get_rng_state()
    a, b = aug.sample(x, seeded(7)), aug.sample(x, seeded(7))
    assert torch.equal(torch.get_rng_state(), state)
    assert same(a, b) and not same(a, aug.sample(x, seeded(8)))


@pytest.mark.parametrize("name", SETTINGS)
def test_runs_on_the_inputs_device_without_host_syncs(name):
    # Meta tensors have no data: reading a value on the host (a sync on accelerators) or mixing devices fails.
    aug, x = build(name), torch.empty(8, 3, 16, 16, dtype=torch.uint8, device="meta")
    params = aug.sample(x)
    assert all(t.device.type == "meta" for t in tensors_in(params))
    assert aug.apply(x, params).device.type == "meta"


@pytest.mark.parametrize("name", SETTINGS)
def test_no_per_sample_python_loop(name):
    aug = build(name)
    small, large = images(b=8), images(b=64)
    ops = [count_ops(lambda x=x: aug.apply(x, aug.sample(x, seeded(3)))) for x in (small, large)]
    assert ops[0] == ops[1]


def test_compose_of_the_simclr_components_matches_image_simclr():
    # image-simclr draws its parameters through the components, in pipeline order, and fuses the apply.
    # On mid-range pixels with mild colour changes nothing is clamped, so fused and step by step agree.
    settings = dict(image_size=12, crop_scale=(0.3, 1.0), jitter_strength=0.25, grayscale_prob=0.4, blur_prob=0.5, solarize_prob=0.3)
    simclr = SimCLRViews(**settings)
    get = REGISTRY.get
    steps = [
        get("augmentation", "image-resized-crop").factory(image_size=12, scale=[0.3, 1.0]),
        get("augmentation", "image-flip").factory(p=0.5),
        get("augmentation", "image-color-jitter").factory(0.2, 0.2, 0.2, 0.05, p=0.8),
        get("augmentation", "image-grayscale").factory(p=0.4),
        get("augmentation", "image-blur").factory(p=0.5),
        get("augmentation", "image-solarize").factory(p=0.3),
    ]
    compose = Compose([[Step(s) for s in steps]])
    x = 0.4 + 0.2 * torch.rand(24, 3, 20, 20, generator=seeded(0))
    torch.manual_seed(1)
    fused = simclr(x)
    torch.manual_seed(1)
    stepwise = compose(x)
    for a, b in zip(fused, stepwise, strict=True):
        torch.testing.assert_close(a, b, atol=2e-5, rtol=0)
    assert not torch.allclose(fused[0], fused[1])


COMPOSE_RECIPE = """
description = "SimCLR on digits with views composed from augmentation components."
modality = "image"

[data]
name = "digits"

[views]
name = "compose"
augmentations = [
    {name = "image-resized-crop", scale = [0.3, 1.0]},
    {name = "image-color-jitter", brightness = 0.4, contrast = 0.4, p = 0.8},
    {name = "image-blur", p = 0.5},
]

[encoder]
name = "convnet"
head_hidden_dim = 16
head_out_dim = 8

[objective]
name = "ntxent"

[trainer]
epochs = 1
batch_size = 32
max_steps_per_epoch = 2
threads = 1
knn_every = 0

[eval]
protocols = []
baselines = []
plots = false
"""


def test_compose_recipe_trains_a_step(tmp_path: Path):
    import anyclr.api

    recipe = tmp_path / "compose.toml"
    recipe.write_text(COMPOSE_RECIPE)
    summary = anyclr.api.train(str(recipe), run_dir=tmp_path / "run", progress=False, print_table=False, registry=REGISTRY)
    assert summary["steps"] == 2 and torch.isfinite(torch.tensor(summary["final_loss"]))
