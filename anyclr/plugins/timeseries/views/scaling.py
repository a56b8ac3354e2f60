"""Scaling: multiply the series by random factors (TS-TCC's weak augmentation)."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation


class Scaling(SeriesAugmentation):
    """Multiply each series by factors ~ N(loc, sigma^2) drawn per sample and timestamp, shared by channels.

    This is TS-TCC's ``scaling`` (``factor`` of shape ``[batch, time]``, mean 2). Parameters: the factors
    ``[B, T, 1]``.

    Args:
        sigma: standard deviation of the factors (default 1.1, TS-TCC's ``jitter_scale_ratio``).
        loc: mean of the factors (default 2).
        p: probability that a series is scaled (default 1).
    """

    def __init__(self, sigma: float = 1.1, loc: float = 2.0, p: float = 1.0) -> None:
        super().__init__(p)
        self.sigma = float(sigma)
        self.loc = float(loc)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the factors ``[B, T, 1]``."""
        return self.loc + self.sigma * torch.randn(
            x.shape[0], x.shape[1], 1, device=x.device, dtype=x.dtype, generator=generator
        )

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return ``x`` times the factors."""
        return x * drawn

    def extra_repr(self) -> str:
        return f"sigma={self.sigma}, loc={self.loc}, p={self.p}"
