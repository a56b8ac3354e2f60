"""TS-TCC's views: a weak (scaling) and a strong (permutation + jitter) augmentation of each series."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.timeseries.series import values
from anyclr.plugins.timeseries.views.jitter import Jitter
from anyclr.plugins.timeseries.views.permutation import Permutation
from anyclr.plugins.timeseries.views.scaling import Scaling


class TSTCCViews(ViewGenerator):
    """Weak and strong views (Eldele et al. 2021, arXiv 2106.14112); with more than 2 views they alternate.

    The weak view is ``timeseries-scaling``; the strong one ``timeseries-permutation`` then
    ``timeseries-jitter``.

    Args:
        n_views: number of views (default 2: weak, strong).
        scale_sigma: std of the scaling factors around 2 (TS-TCC's ``jitter_scale_ratio``, default 1.1).
        jitter_sigma: std of the strong view's noise (``jitter_ratio``, default 0.8).
        max_segments: the strong view's permutation cuts into fewer than this many segments (default 5).
    """

    def __init__(self, n_views: int = 2, scale_sigma: float = 1.1, jitter_sigma: float = 0.8, max_segments: int = 5) -> None:
        super().__init__(n_views)
        self.scaling = Scaling(scale_sigma)
        self.permutation = Permutation(max_segments)
        self.jitter = Jitter(jitter_sigma)

    def weak(self, x: torch.Tensor) -> torch.Tensor:
        """Return the weak view (scaling)."""
        return self.scaling(x)

    def strong(self, x: torch.Tensor) -> torch.Tensor:
        """Return the strong view (permutation, then jitter)."""
        return self.jitter(self.permutation(x))

    def forward(self, inputs: Any) -> list[torch.Tensor]:
        """Return ``n_views`` views of a ``[B, T, C]`` batch: weak, strong, weak, ..."""
        x = values(inputs)
        return [self.weak(x) if i % 2 == 0 else self.strong(x) for i in range(self.n_views)]

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}"
