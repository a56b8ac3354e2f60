"""Tests for the 'example' plug-in. Run `pip install -e .` first, then `pytest tests`."""

import torch
from anyclr_example_plugin.mlp_backbone import MLPBackbone
from anyclr_example_plugin.noise_erase import NoiseErase

from anyclr.core.registry import get_registry


def test_plugin_registers_its_components():
    registry = get_registry(refresh=True)
    assert registry.get("view", "example-noise").plugin == "example"
    assert registry.get("backbone", "example-mlp").plugin == "example"
    assert registry.recipe("example-digits").plugin == "example"
    assert [p.status for p in registry.plugins if p.name == "example"] == ["ok"]


def test_import_strings_name_the_classes():
    registry = get_registry(refresh=True)
    assert registry.get("view", "example-noise").factory is NoiseErase
    assert registry.get("backbone", "example-mlp").factory is MLPBackbone


def test_views_are_batched_random_and_shape_preserving():
    torch.manual_seed(0)
    x = torch.randn(32, 1, 8, 8)
    first, second = NoiseErase(n_views=2, erase_prob=1.0)(x)
    assert first.shape == x.shape and second.shape == x.shape
    assert not torch.equal(first, second)
    erased = (first == 0).flatten(1).sum(1)
    assert (erased > 0).all()  # every sample got a box (erase_prob=1)
    assert erased.unique().numel() > 1  # box sizes differ between samples


def test_views_work_on_any_tensor_layout():
    for shape, dims in [((4, 100), 1), ((4, 3, 50), 1), ((4, 2, 5, 6, 7), 3)]:
        out = NoiseErase(erase_dims=dims)(torch.randn(shape))
        assert [v.shape for v in out] == [torch.Size(shape)] * 2


def test_backbone_output_width():
    net = MLPBackbone(in_channels=3, image_size=(4, 6), out_dim=32)
    assert net(torch.randn(5, 3, 4, 6)).shape == (5, net.out_dim) == (5, 32)
