"""Window warping: speed a random window up or slow it down, keeping the series' length (Le Guennec et al. 2016)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from anyclr.plugins.timeseries.views.resample import interpolate, observed_lengths
from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation


class WindowWarp(SeriesAugmentation):
    """Stretch a random ``ratio``-long window of each series by a factor drawn from ``scales``, then resample to length.

    Parameters: the positions ``[B, T]`` (fractional timestamps) each output step reads.

    Args:
        ratio: length of the warped window relative to the series (default 0.1).
        scales: speed factors to draw from, one per series (default 0.5 and 2).
        p: probability that a series is warped (default 1).
    """

    def __init__(self, ratio: float = 0.1, scales: Sequence[float] = (0.5, 2.0), p: float = 1.0) -> None:
        super().__init__(p)
        if not scales:
            raise ValueError("window warp needs at least one scale")
        self.ratio = float(ratio)
        self.scales = [float(s) for s in scales]

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the positions ``[B, T]`` that the output reads."""
        b = x.shape[0]
        n = observed_lengths(x).to(x.dtype)
        w = (n * self.ratio).ceil().clamp_min(1)
        start = (torch.rand(b, device=x.device, dtype=x.dtype, generator=generator) * (n - w).clamp_min(0)).floor()
        options = torch.as_tensor(self.scales, device=x.device, dtype=x.dtype)
        scale = options[torch.randint(0, len(options), (b,), device=x.device, generator=generator)]
        warped = n + (scale - 1) * w  # length of the warped series
        u = torch.arange(x.shape[1], device=x.device, dtype=x.dtype).unsqueeze(0)
        s = u * ((warped - 1) / (n - 1).clamp_min(1)).unsqueeze(1)  # output step -> warped coordinate
        a, sc, ww = start.unsqueeze(1), scale.unsqueeze(1), w.unsqueeze(1)
        return torch.where(s < a, s, torch.where(s < a + sc * ww, a + (s - a) / sc, s - (sc - 1) * ww))

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return ``x`` sampled at the positions."""
        return interpolate(x, drawn, observed_lengths(x))

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, scales={self.scales}, p={self.p}"
