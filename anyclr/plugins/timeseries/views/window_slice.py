"""Window slicing: crop a random window and stretch it back to the series' length (Le Guennec et al. 2016)."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.resample import interpolate, observed_lengths
from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation


class WindowSlice(SeriesAugmentation):
    """Replace each series by a random ``ratio``-long window of it, linearly resampled to the series' own length.

    Series padded at the end (NaN) are sliced within their observed length. Parameters: the positions
    ``[B, T]`` (fractional timestamps) each output step reads.

    Args:
        ratio: length of the window relative to the series (default 0.9).
        p: probability that a series is sliced (default 1).
    """

    def __init__(self, ratio: float = 0.9, p: float = 1.0) -> None:
        super().__init__(p)
        if not 0 < ratio <= 1:
            raise ValueError(f"window slice ratio must be in (0, 1], got {ratio}")
        self.ratio = float(ratio)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the positions ``[B, T]`` that the output reads."""
        n = observed_lengths(x).to(x.dtype)
        window = (n * self.ratio).ceil().clamp_min(1)
        start = torch.rand(x.shape[0], device=x.device, dtype=x.dtype, generator=generator) * (n - window + 1).floor()
        start = start.floor()
        u = torch.arange(x.shape[1], device=x.device, dtype=x.dtype).unsqueeze(0)
        step = ((window - 1) / (n - 1).clamp_min(1)).unsqueeze(1)
        return start.unsqueeze(1) + u * step

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return ``x`` sampled at the positions."""
        return interpolate(x, drawn, observed_lengths(x))

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, p={self.p}"
