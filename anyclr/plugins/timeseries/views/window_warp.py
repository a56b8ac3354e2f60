"""Window warping: speed a random window up or slow it down, keeping the series' length (Le Guennec et al. 2016)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from anyclr.plugins.timeseries.views.resample import interpolate, observed_lengths


def window_warp(x: torch.Tensor, ratio: float = 0.1, scales: Sequence[float] = (0.5, 2.0)) -> torch.Tensor:
    """Stretch a random ``ratio``-long window of each series by a factor drawn from ``scales``, then resample to length."""
    b = x.shape[0]
    lengths = observed_lengths(x)
    n = lengths.to(x.dtype)
    w = (n * ratio).ceil().clamp_min(1)
    start = (torch.rand(b, device=x.device, dtype=x.dtype) * (n - w).clamp_min(0)).floor()
    options = torch.as_tensor(list(scales), device=x.device, dtype=x.dtype)
    scale = options[torch.randint(0, len(options), (b,), device=x.device)]
    warped = n + (scale - 1) * w  # length of the warped series
    u = torch.arange(x.shape[1], device=x.device, dtype=x.dtype).unsqueeze(0)
    s = u * ((warped - 1) / (n - 1).clamp_min(1)).unsqueeze(1)  # output step -> warped coordinate
    a, sc, ww = start.unsqueeze(1), scale.unsqueeze(1), w.unsqueeze(1)
    src = torch.where(s < a, s, torch.where(s < a + sc * ww, a + (s - a) / sc, s - (sc - 1) * ww))
    return interpolate(x, src, lengths)
