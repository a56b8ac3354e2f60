"""MLPBackbone: a small MLP on flattened images (a stand-in for a real encoder)."""

from __future__ import annotations

import math

import torch
from torch import nn

from anyclr_example_plugin.noise_erase import to_float


class MLPBackbone(nn.Module):
    """Flatten ``[B, C, H, W]`` images and apply Linear-ReLU layers; ``out_dim`` is the representation width.

    The backbone sees both augmented views (float) and, for evaluation and ``anyclr embed``, the
    dataset's raw batches (uint8), so it converts its input the same way the view does.

    Args:
        in_channels: image channels (filled from the dataset's info).
        image_size: image side, or (height, width) (filled from the dataset's info).
        hidden_dim: width of the hidden layers (default 256).
        out_dim: representation width (default 128).
        layers: number of Linear layers (default 2).
    """

    def __init__(
        self,
        in_channels: int = 1,
        image_size: int | tuple[int, int] = 8,
        hidden_dim: int = 256,
        out_dim: int = 128,
        layers: int = 2,
    ) -> None:
        super().__init__()
        if layers < 1:
            raise ValueError(f"layers must be at least 1, got {layers}")
        side = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        widths = [in_channels * math.prod(side)] + [hidden_dim] * (layers - 1) + [out_dim]
        blocks: list[nn.Module] = [nn.Flatten()]
        for i in range(layers):
            blocks.append(nn.Linear(widths[i], widths[i + 1]))
            if i < layers - 1:
                blocks.append(nn.ReLU(inplace=True))
        self.net = nn.Sequential(*blocks)
        self.out_dim = out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``[B, out_dim]`` features of raw (uint8) or augmented (float) images."""
        return self.net(to_float(x))
