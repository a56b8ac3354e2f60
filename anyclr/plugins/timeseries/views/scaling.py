"""Scaling: multiply the series by random factors (TS-TCC's weak augmentation)."""

from __future__ import annotations

import torch


def scaling(x: torch.Tensor, sigma: float = 1.1, loc: float = 2.0) -> torch.Tensor:
    """Return ``x`` ``[B, T, C]`` times factors ~ N(loc, sigma^2) drawn per sample and timestamp, shared by channels.

    This is TS-TCC's ``scaling`` (``factor`` of shape ``[batch, time]``, mean 2).
    """
    factor = loc + sigma * torch.randn(x.shape[0], x.shape[1], 1, device=x.device, dtype=x.dtype)
    return x * factor
