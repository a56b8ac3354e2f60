"""A small 4-block ConvNet for very fast CPU runs and tests."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from anyclr.plugins.image.encoders.image_input import ImageInput


class ConvNet(nn.Module):
    """Four conv3×3-BN-ReLU blocks (``width``, 2×, 4×, 8× channels), 2×2 max-pool after the first three,
    global average pooling: ``forward(images) -> [B, 8·width]``.

    Args:
        in_channels: image channels (injected from the dataset).
        width: channels of the first block (default 32).
        mean, std: per-channel input statistics in [0, 1] units (injected from the dataset).
    """

    def __init__(
        self,
        in_channels: int = 3,
        width: int = 32,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        if width < 1:
            raise ValueError(f"width must be positive, got {width}")
        self.input = ImageInput(in_channels, mean, std)
        layers: list[nn.Module] = []
        c_in = in_channels
        for i, c_out in enumerate((width, width * 2, width * 4, width * 8)):
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
            if i < 3:
                # ceil_mode keeps 1-pixel maps alive on tiny images (8×8 digits).
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            c_in = c_out
        self.body = nn.Sequential(*layers)
        # Not called `pool`: Encoder.represent would take that for a pooling of [B, D] features.
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.out_dim = width * 8

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Return pooled features [B, out_dim] of a uint8 or float image batch."""
        return torch.flatten(self.avgpool(self.body(self.input(images))), 1)


def convnet(
    in_channels: int = 3, width: int = 32, mean: list[float] | None = None, std: list[float] | None = None
) -> ConvNet:
    """Small 4-block ConvNet (width, 2×, 4×, 8× channels) for fast CPU runs."""
    return ConvNet(in_channels, width, mean, std)
