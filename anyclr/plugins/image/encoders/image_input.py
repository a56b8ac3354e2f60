"""The input layer every image backbone starts with: uint8 or float images to standardised float."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def _channel_stats(values: float | Sequence[float] | None, channels: int, default: float, name: str) -> torch.Tensor:
    if values is None:
        values = [default] * channels
    elif isinstance(values, (int, float)):
        values = [float(values)] * channels
    values = [float(v) for v in values]
    if len(values) == 1:
        values = values * channels
    if len(values) != channels:
        raise ValueError(f"{name} has {len(values)} values but the images have {channels} channels")
    return torch.tensor(values).view(1, channels, 1, 1)


class ImageInput(nn.Module):
    """Turn uint8 (0..255) or float (0..1) images [B, C, H, W] into ``(x - mean) / std`` float images.

    Normalisation lives in the encoder rather than in the views so that augmented views (float) and the
    raw dataset batches used for evaluation and ``anyclr embed`` (uint8) see the same input layer.

    Args:
        in_channels: number of image channels.
        mean: per-channel mean in [0, 1] units (default 0.5; datasets pass theirs through ``info``).
        std: per-channel standard deviation in [0, 1] units (default 0.25).
    """

    def __init__(
        self, in_channels: int, mean: float | Sequence[float] | None = None, std: float | Sequence[float] | None = None
    ) -> None:
        super().__init__()
        self.register_buffer("mean", _channel_stats(mean, in_channels, 0.5, "mean"))
        self.register_buffer("std", _channel_stats(std, in_channels, 0.25, "std").clamp_min(1e-3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the standardised float batch."""
        if x.dtype == torch.uint8:
            x = x.float() / 255.0
        elif not x.is_floating_point():
            raise TypeError(f"image backbones take uint8 or floating point images, got {x.dtype}")
        if x.dim() != 4 or x.shape[1] != self.mean.shape[1]:
            raise ValueError(f"expected images shaped [B, {self.mean.shape[1]}, H, W], got {tuple(x.shape)}")
        return (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)
