"""LinearHead: a single linear projection (the SimCLR v1 ablation, CPC-style scorers)."""

from __future__ import annotations

import torch
from torch import nn


class LinearHead(nn.Module):
    """One Linear layer from ``in_dim`` to ``out_dim`` (default 128); extra leading dimensions are kept."""

    def __init__(self, in_dim: int, out_dim: int = 128, bias: bool = True) -> None:
        super().__init__()
        self.in_dim = int(in_dim)
        self.out_dim = int(out_dim)
        self.proj = nn.Linear(in_dim, out_dim, bias=bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Project ``[..., in_dim]`` features to ``[..., out_dim]``."""
        return self.proj(h)
