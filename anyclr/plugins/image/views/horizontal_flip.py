"""Random horizontal flip with a per-sample coin."""

from __future__ import annotations

import torch
from torch import nn


class RandomHorizontalFlip(nn.Module):
    """Mirror each image left-right with probability ``p`` (default 0.5).

    The SimCLR pipeline folds the flip into the crop's resampling grid (see ``RandomResizedCrop.apply``),
    so there it costs nothing; this module is the stand-alone form.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = float(p)

    def sample(self, batch: int, device: torch.device) -> torch.Tensor:
        """Return a bool mask [B]: which samples to flip."""
        return torch.rand(batch, device=device) < self.p

    def apply(self, x: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
        """Mirror the samples where ``flip`` is true."""
        return torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x`` with a random subset of samples mirrored."""
        return self.apply(x, self.sample(x.shape[0], x.device))

    def extra_repr(self) -> str:
        return f"p={self.p}"
