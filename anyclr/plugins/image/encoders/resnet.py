"""ResNet-18/34/50 from torchvision's residual blocks, with any base width and an optional CIFAR-style stem."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from anyclr.plugins.image.encoders.image_input import ImageInput

_DEPTHS: dict[str, tuple[type[nn.Module], list[int]]] = {
    "resnet18": (BasicBlock, [2, 2, 2, 2]),
    "resnet34": (BasicBlock, [3, 4, 6, 3]),
    "resnet50": (Bottleneck, [3, 4, 6, 3]),
}


class ResNet(nn.Module):
    """A ResNet backbone without its classifier: ``forward(images) -> [B, out_dim]`` pooled features.

    Built from torchvision's ``BasicBlock``/``Bottleneck`` so that ``width`` (channels of the first stage,
    64 in the paper) can shrink the network for CPU runs; stages have ``width``, 2×, 4× and 8× channels.
    The small stem (3×3 convolution, stride 1, no max-pool) keeps resolution on images of 64 px or less,
    as SimCLR's CIFAR-10 variant does.

    Args:
        depth: ``"resnet18"``, ``"resnet34"`` or ``"resnet50"``.
        in_channels: image channels (injected from the dataset).
        width: channels of the first stage (default 64).
        small_stem: use the 3×3/stride-1 stem without max-pool.
        zero_init_residual: start each residual branch's last BN at zero (default False).
        mean, std: per-channel input statistics in [0, 1] units (injected from the dataset).
    """

    def __init__(
        self,
        depth: str = "resnet18",
        in_channels: int = 3,
        width: int = 64,
        small_stem: bool = False,
        zero_init_residual: bool = False,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        if depth not in _DEPTHS:
            raise ValueError(f"unknown ResNet depth {depth!r}; choose from {', '.join(_DEPTHS)}")
        if width < 1:
            raise ValueError(f"width must be positive, got {width}")
        block, blocks = _DEPTHS[depth]
        self.input = ImageInput(in_channels, mean, std)
        if small_stem:
            conv = nn.Conv2d(in_channels, width, kernel_size=3, stride=1, padding=1, bias=False)
            self.stem = nn.Sequential(conv, nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        else:
            conv = nn.Conv2d(in_channels, width, kernel_size=7, stride=2, padding=3, bias=False)
            pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.stem = nn.Sequential(conv, nn.BatchNorm2d(width), nn.ReLU(inplace=True), pool)
        self._inplanes = width
        self.layer1 = self._make_layer(block, width, blocks[0], stride=1)
        self.layer2 = self._make_layer(block, width * 2, blocks[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, blocks[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, blocks[3], stride=2)
        # Not called `pool`: Encoder.represent would take that for a pooling of [B, D] features.
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.out_dim = width * 8 * block.expansion
        self._init_weights(zero_init_residual)

    def _make_layer(self, block: type[nn.Module], planes: int, n: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self._inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self._inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self._inplanes, planes, stride, downsample)]
        self._inplanes = planes * block.expansion
        layers += [block(self._inplanes, planes) for _ in range(1, n)]
        return nn.Sequential(*layers)

    def _init_weights(self, zero_init_residual: bool) -> None:
        # torchvision's initialisation.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn3.weight)
                elif isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Return pooled features [B, out_dim] of a uint8 or float image batch."""
        x = self.stem(self.input(images))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)


def use_small_stem(small_stem: bool | str, image_size: int | Sequence[int] | None) -> bool:
    """Resolve ``small_stem="auto"``: the small stem for images of 64 px or less (or of unknown size)."""
    if isinstance(small_stem, bool):
        return small_stem
    if small_stem != "auto":
        raise ValueError(f"small_stem must be true, false or 'auto', got {small_stem!r}")
    if image_size is None:
        return True
    side = image_size if isinstance(image_size, int) else min(image_size)
    return side <= 64


# Three plain functions (not built by a helper) so that `anyclr components` can read their signatures
# from this file without importing torch.


def resnet18(
    in_channels: int = 3,
    width: int = 64,
    small_stem: bool | str = "auto",
    image_size: int | list[int] | None = None,
    zero_init_residual: bool = False,
    mean: list[float] | None = None,
    std: list[float] | None = None,
) -> ResNet:
    """ResNet-18 backbone (torchvision blocks): width = first-stage channels (64), small_stem = 3×3/stride-1 stem without max-pool ('auto': images of 64 px or less)."""
    return ResNet("resnet18", in_channels, width, use_small_stem(small_stem, image_size), zero_init_residual, mean, std)


def resnet34(
    in_channels: int = 3,
    width: int = 64,
    small_stem: bool | str = "auto",
    image_size: int | list[int] | None = None,
    zero_init_residual: bool = False,
    mean: list[float] | None = None,
    std: list[float] | None = None,
) -> ResNet:
    """ResNet-34 backbone (torchvision blocks): width = first-stage channels (64), small_stem = 3×3/stride-1 stem without max-pool ('auto': images of 64 px or less)."""
    return ResNet("resnet34", in_channels, width, use_small_stem(small_stem, image_size), zero_init_residual, mean, std)


def resnet50(
    in_channels: int = 3,
    width: int = 64,
    small_stem: bool | str = "auto",
    image_size: int | list[int] | None = None,
    zero_init_residual: bool = False,
    mean: list[float] | None = None,
    std: list[float] | None = None,
) -> ResNet:
    """ResNet-50 backbone (torchvision bottlenecks): width = first-stage channels (64), small_stem = 3×3/stride-1 stem without max-pool ('auto': images of 64 px or less)."""
    return ResNet("resnet50", in_channels, width, use_small_stem(small_stem, image_size), zero_init_residual, mean, std)
