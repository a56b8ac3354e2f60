"""TS-TCC's views: a weak (scaling) and a strong (permutation + jitter) augmentation of each series."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.timeseries.views.jitter import jitter
from anyclr.plugins.timeseries.views.permutation import permutation
from anyclr.plugins.timeseries.views.scaling import scaling


class TSTCCViews(ViewGenerator):
    """Weak and strong views (Eldele et al. 2021, arXiv 2106.14112); with more than 2 views they alternate.

    Args:
        n_views: number of views (default 2: weak, strong).
        scale_sigma: std of the scaling factors around 2 (TS-TCC's ``jitter_scale_ratio``, default 1.1).
        jitter_sigma: std of the strong view's noise (``jitter_ratio``, default 0.8).
        max_segments: the strong view's permutation cuts into fewer than this many segments (default 5).
    """

    def __init__(self, n_views: int = 2, scale_sigma: float = 1.1, jitter_sigma: float = 0.8, max_segments: int = 5) -> None:
        super().__init__(n_views)
        self.scale_sigma = float(scale_sigma)
        self.jitter_sigma = float(jitter_sigma)
        self.max_segments = int(max_segments)

    def weak(self, x: torch.Tensor) -> torch.Tensor:
        """Return the weak view (scaling)."""
        return scaling(x, self.scale_sigma)

    def strong(self, x: torch.Tensor) -> torch.Tensor:
        """Return the strong view (permutation, then jitter)."""
        return jitter(permutation(x, self.max_segments), self.jitter_sigma)

    def forward(self, inputs: Any) -> list[torch.Tensor]:
        """Return ``n_views`` views of a ``[B, T, C]`` batch: weak, strong, weak, ..."""
        x = inputs["x"] if isinstance(inputs, dict) else inputs
        return [self.weak(x) if i % 2 == 0 else self.strong(x) for i in range(self.n_views)]

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}, scale_sigma={self.scale_sigma}, jitter_sigma={self.jitter_sigma}, max_segments={self.max_segments}"
