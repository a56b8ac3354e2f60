"""Jitter: add Gaussian noise to every value (Um et al. 2017; TS-TCC's strong augmentation)."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation


class Jitter(SeriesAugmentation):
    """Add N(0, sigma^2) noise to every value of each series (missing values stay NaN).

    Parameters: the unit noise ``[B, T, C]``.

    Args:
        sigma: standard deviation of the noise (default 0.8, TS-TCC's ``jitter_ratio``).
        p: probability that a series is jittered (default 1).
    """

    def __init__(self, sigma: float = 0.8, p: float = 1.0) -> None:
        super().__init__(p)
        self.sigma = float(sigma)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return unit Gaussian noise shaped like ``x``."""
        return torch.randn(x.shape, device=x.device, dtype=x.dtype, generator=generator)

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return ``x`` plus ``sigma`` times the noise."""
        return x + self.sigma * drawn

    def extra_repr(self) -> str:
        return f"sigma={self.sigma}, p={self.p}"
