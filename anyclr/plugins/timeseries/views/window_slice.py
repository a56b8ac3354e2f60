"""Window slicing: crop a random window and stretch it back to the series' length (Le Guennec et al. 2016)."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.resample import interpolate, observed_lengths


def window_slice(x: torch.Tensor, ratio: float = 0.9) -> torch.Tensor:
    """Return each series' random ``ratio``-long window, linearly resampled to the series' own length."""
    lengths = observed_lengths(x)
    n = lengths.to(x.dtype)
    window = (n * ratio).ceil().clamp_min(1)
    start = torch.rand(x.shape[0], device=x.device, dtype=x.dtype) * (n - window + 1).floor()
    start = start.floor()
    u = torch.arange(x.shape[1], device=x.device, dtype=x.dtype).unsqueeze(0)
    step = ((window - 1) / (n - 1).clamp_min(1)).unsqueeze(1)
    return interpolate(x, start.unsqueeze(1) + u * step, lengths)
