"""Jitter: add Gaussian noise to every value (Um et al. 2017; TS-TCC's strong augmentation)."""

from __future__ import annotations

import torch


def jitter(x: torch.Tensor, sigma: float = 0.8) -> torch.Tensor:
    """Return ``x`` ``[B, T, C]`` plus N(0, sigma^2) noise per value (missing values stay NaN)."""
    return x + sigma * torch.randn_like(x)
