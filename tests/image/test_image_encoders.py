"""Image backbones: output shapes for every depth/stem/width/channel count, input handling, registry build."""

from __future__ import annotations

import pytest
import torch

from anyclr.core.build import build_encoder
from anyclr.core.registry import get_registry
from anyclr.plugins.image.encoders.convnet import convnet
from anyclr.plugins.image.encoders.image_input import ImageInput
from anyclr.plugins.image.encoders.resnet import resnet18, resnet34, resnet50, use_small_stem


@pytest.mark.parametrize(
    ("factory", "expansion"), [(resnet18, 1), (resnet34, 1), (resnet50, 4)], ids=["resnet18", "resnet34", "resnet50"]
)
@pytest.mark.parametrize("in_channels", [1, 3])
def test_resnet_shapes(factory, expansion: int, in_channels: int) -> None:
    net = factory(in_channels=in_channels, width=4, small_stem=True).eval()
    x = torch.randint(0, 256, (2, in_channels, 16, 16), dtype=torch.uint8)
    out = net(x)
    assert net.out_dim == 4 * 8 * expansion
    assert out.shape == (2, net.out_dim)


def test_resnet_stems() -> None:
    small = resnet18(in_channels=3, width=4, small_stem=True)
    large = resnet18(in_channels=3, width=4, small_stem=False)
    assert small.stem[0].kernel_size == (3, 3) and small.stem[0].stride == (1, 1)
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in small.stem)
    assert large.stem[0].kernel_size == (7, 7) and isinstance(large.stem[-1], torch.nn.MaxPool2d)
    assert large.eval()(torch.rand(1, 3, 64, 64)).shape == (1, 32)
    assert resnet18(width=64).out_dim == 512 and resnet50(width=64).out_dim == 2048


def test_small_stem_auto() -> None:
    assert use_small_stem("auto", 32) and use_small_stem("auto", [32, 64]) and use_small_stem("auto", None)
    assert not use_small_stem("auto", 96)
    assert use_small_stem(True, 224) and not use_small_stem(False, 8)
    with pytest.raises(ValueError, match="small_stem"):
        use_small_stem("yes", 32)
    assert resnet18(width=4, image_size=96).stem[0].kernel_size == (7, 7)


def test_convnet_on_tiny_images() -> None:
    net = convnet(in_channels=1, width=4).eval()
    assert net(torch.rand(3, 1, 8, 8)).shape == (3, 32) and net.out_dim == 32


def test_uint8_and_float_inputs_agree() -> None:
    net = resnet18(in_channels=3, width=4, mean=[0.4, 0.5, 0.6], std=[0.2, 0.25, 0.3]).eval()
    x = torch.randint(0, 256, (2, 3, 16, 16), dtype=torch.uint8)
    assert torch.allclose(net(x), net(x.float() / 255), atol=1e-5)


def test_image_input_checks() -> None:
    layer = ImageInput(3, mean=[0.5, 0.5, 0.5], std=0.5)
    assert torch.allclose(layer(torch.full((1, 3, 2, 2), 255, dtype=torch.uint8)), torch.ones(1, 3, 2, 2))
    with pytest.raises(ValueError, match="channels"):
        ImageInput(3, mean=[0.1, 0.2])
    with pytest.raises(ValueError, match=r"\[B, 3, H, W\]"):
        layer(torch.zeros(1, 1, 2, 2))
    with pytest.raises(TypeError, match="uint8"):
        layer(torch.zeros(1, 3, 2, 2, dtype=torch.int64))


def test_built_from_registry_with_injected_info() -> None:
    cfg = {"encoder": {"name": "resnet18", "width": 4, "head": "mlp", "head_hidden_dim": 16, "head_out_dim": 8}}
    info = {"in_channels": 1, "image_size": 16, "mean": [0.3], "std": [0.3], "modality": "image"}
    encoder = build_encoder(get_registry(), cfg, info).eval()
    x = torch.randint(0, 256, (2, 1, 16, 16), dtype=torch.uint8)
    assert encoder.represent(x).shape == (2, 32)
    assert encoder(x).shape == (2, 8)
    assert encoder.backbone.stem[0].stride == (1, 1)  # small stem chosen from image_size
    assert torch.allclose(encoder.backbone.input.mean, torch.tensor([0.3]).view(1, 1, 1, 1))
