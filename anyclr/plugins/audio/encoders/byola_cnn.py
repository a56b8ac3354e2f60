"""BYOL-A's encoder: three conv blocks on log-mel, a two-layer MLP per frame, mean + max over time."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from anyclr.plugins.audio.encoders.base import SpectrogramEncoder, shrink_mask


class ByolaCNN(SpectrogramEncoder):
    """The audio encoder of BYOL for Audio (Niizumi et al. 2021; AudioNTT2020 from Koizumi et al. 2020).

    Three blocks of 3x3 conv (``width`` channels), BatchNorm, ReLU and 2x2 max-pool on log-mel
    ``[B, C, F, N]``; each remaining frame's channels x mel bins go through Linear-ReLU-Dropout-Linear-ReLU to
    ``dim``; the clip embedding is the mean plus the max over the clip's frames. ``out_dim = dim``.

    Args:
        sample_rate: samples per second (injected from the dataset).
        front_end: log-mel settings (injected from the dataset).
        in_channels: audio channels (injected).
        width: conv channels (default 64, BYOL-A's).
        dim: embedding width (default 512; BYOL-A also uses 2048).
        dropout: dropout in the frame MLP (default 0.3).
    """

    min_frames = 8

    def __init__(
        self,
        sample_rate: int = 16000,
        front_end: dict[str, Any] | None = None,
        in_channels: int = 1,
        width: int = 64,
        dim: int = 512,
        dropout: float = 0.3,
    ) -> None:
        super().__init__(sample_rate, front_end, in_channels)
        layers: list[nn.Module] = []
        for i in range(3):
            layers += [nn.Conv2d(in_channels if i == 0 else width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Linear(width * (self.bins // 8), dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(dim, dim), nn.ReLU())
        self.out_dim = int(dim)

    def encode_frames(self, x: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return per-frame embeddings ``[B, N/8, dim]`` and their mask."""
        h = self.features(x)  # [B, width, F/8, N/8]
        h = h.permute(0, 3, 1, 2).flatten(2)  # [B, N/8, width * F/8]
        return self.fc(h), shrink_mask(valid, h.shape[1])
