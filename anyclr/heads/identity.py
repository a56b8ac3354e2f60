"""IdentityHead: no projection; the objective sees the backbone's features directly."""

from __future__ import annotations

import torch
from torch import nn


class IdentityHead(nn.Module):
    """Pass the backbone's features through unchanged (``out_dim == in_dim``)."""

    def __init__(self, in_dim: int) -> None:
        super().__init__()
        self.in_dim = int(in_dim)
        self.out_dim = int(in_dim)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Return ``h``."""
        return h
