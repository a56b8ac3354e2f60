"""COLA's projection head: Linear, LayerNorm, tanh."""

from __future__ import annotations

import torch
from torch import nn


class COLAHead(nn.Module):
    """COLA's projection ``g``: Linear from ``in_dim`` to ``out_dim`` (default 512), LayerNorm, tanh (bounded
    embeddings for the bilinear similarity)."""

    def __init__(self, in_dim: int, out_dim: int = 512) -> None:
        super().__init__()
        self.in_dim, self.out_dim = int(in_dim), int(out_dim)
        self.proj = nn.Sequential(nn.Linear(in_dim, out_dim), nn.LayerNorm(out_dim), nn.Tanh())

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Project ``[..., in_dim]`` features to ``[..., out_dim]`` in (-1, 1)."""
        return self.proj(h)
