"""Frequency adding (TF-C, Zhang et al. 2022): raise the amplitude of random Fourier components of each series."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation
from anyclr.plugins.timeseries.views.spectrum import spectrum_shape, to_spectrum, to_time


class FrequencyAdd(SeriesAugmentation):
    """Raise a random ``ratio`` of coefficients by up to ``strength`` x the series' largest amplitude (phase kept).

    Missing values stay NaN. Parameters: each coefficient's gain in [0, 1) (0 where unchanged),
    ``[B, T // 2 + 1, C]``.

    Args:
        ratio: share of coefficients raised (default 0.1).
        strength: largest added amplitude, relative to the series' peak amplitude (default 0.1).
        p: probability that a series is changed (default 1).
    """

    def __init__(self, ratio: float = 0.1, strength: float = 0.1, p: float = 1.0) -> None:
        super().__init__(p)
        self.ratio = float(ratio)
        self.strength = float(strength)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the gains: uniform on the chosen coefficients, 0 elsewhere."""
        shape = spectrum_shape(x)
        chosen = torch.rand(shape, device=x.device, generator=generator) < self.ratio
        return chosen * torch.rand(shape, device=x.device, generator=generator)

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return ``x`` with the chosen coefficients raised."""
        spec, missing = to_spectrum(x)
        amplitude = spec.abs()
        peak = amplitude.amax(dim=1, keepdim=True)
        extra = drawn * peak * self.strength
        phase = torch.where(amplitude > 0, spec / amplitude.clamp_min(1e-12), torch.ones_like(spec))
        return to_time(spec + extra * phase, missing, x.shape[1])

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, strength={self.strength}, p={self.p}"
