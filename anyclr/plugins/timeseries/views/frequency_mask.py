"""Frequency masking (TF-C, Zhang et al. 2022): remove random Fourier components of each series."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation
from anyclr.plugins.timeseries.views.spectrum import spectrum_shape, to_spectrum, to_time


class FrequencyMask(SeriesAugmentation):
    """Zero a random ``ratio`` of each series' (and channel's) Fourier coefficients; return the series in time.

    Missing values stay NaN. Parameters: which coefficients to keep, bool ``[B, T // 2 + 1, C]``.

    Args:
        ratio: share of coefficients removed (default 0.1).
        p: probability that a series is changed (default 1).
    """

    def __init__(self, ratio: float = 0.1, p: float = 1.0) -> None:
        super().__init__(p)
        self.ratio = float(ratio)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the coefficients to keep."""
        return torch.rand(spectrum_shape(x), device=x.device, generator=generator) >= self.ratio

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return ``x`` without the coefficients that are not kept."""
        spec, missing = to_spectrum(x)
        return to_time(spec * drawn, missing, x.shape[1])

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, p={self.p}"
