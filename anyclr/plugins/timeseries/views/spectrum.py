"""Series to and from their Fourier coefficients, keeping missing values missing (for the frequency augmentations)."""

from __future__ import annotations

import torch


def spectrum_shape(x: torch.Tensor) -> tuple[int, int, int]:
    """Return the shape ``[B, T // 2 + 1, C]`` of the real spectrum of ``x`` ``[B, T, C]``."""
    return x.shape[0], x.shape[1] // 2 + 1, x.shape[2]


def to_spectrum(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the real FFT over time of ``x`` ``[B, T, C]`` (missing values as 0) and where values are missing."""
    missing = torch.isnan(x)
    return torch.fft.rfft(x.masked_fill(missing, 0.0), dim=1), missing


def to_time(spec: torch.Tensor, missing: torch.Tensor, length: int) -> torch.Tensor:
    """Return the series of ``length`` steps with the spectrum ``spec``, NaN again where values were missing."""
    return torch.fft.irfft(spec, n=length, dim=1).masked_fill(missing, float("nan"))
