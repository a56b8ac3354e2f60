"""Frequency-domain augmentations (TF-C, Zhang et al. 2022): remove or add spectral components."""

from __future__ import annotations

import torch


def _spectrum(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    missing = torch.isnan(x)
    return torch.fft.rfft(x.masked_fill(missing, 0.0), dim=1), missing


def _back(spec: torch.Tensor, missing: torch.Tensor, length: int) -> torch.Tensor:
    return torch.fft.irfft(spec, n=length, dim=1).masked_fill(missing, float("nan"))


def frequency_mask(x: torch.Tensor, ratio: float = 0.1) -> torch.Tensor:
    """Zero a random ``ratio`` of each series' (and channel's) Fourier coefficients; return the series in time."""
    spec, missing = _spectrum(x)
    keep = torch.rand(spec.shape, device=x.device) >= ratio
    return _back(spec * keep, missing, x.shape[1])


def frequency_add(x: torch.Tensor, ratio: float = 0.1, strength: float = 0.1) -> torch.Tensor:
    """Raise the amplitude of a random ``ratio`` of coefficients by up to ``strength`` x the series' largest amplitude."""
    spec, missing = _spectrum(x)
    amplitude = spec.abs()
    chosen = torch.rand(spec.shape, device=x.device) < ratio
    peak = amplitude.amax(dim=1, keepdim=True)
    extra = chosen * torch.rand(spec.shape, device=x.device) * peak * strength
    phase = torch.where(amplitude > 0, spec / amplitude.clamp_min(1e-12), torch.ones_like(spec))
    return _back(spec + extra * phase, missing, x.shape[1])
