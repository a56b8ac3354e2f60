"""Window slicing then window warping (Le Guennec et al. 2016): views that change the time axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.timeseries.series import values
from anyclr.plugins.timeseries.views.window_slice import WindowSlice
from anyclr.plugins.timeseries.views.window_warp import WindowWarp


class SliceWarpViews(ViewGenerator):
    """Each view slices a random window of every series and warps a random part of it (per-sample random).

    The same as ``compose`` with ``timeseries-window-slice`` then ``timeseries-window-warp``.

    Args:
        n_views: number of views (default 2).
        slice_ratio: length of the sliced window relative to the series (default 0.9; 1 turns slicing off).
        warp_ratio: length of the warped window (default 0.1; 0 turns warping off).
        warp_scales: speed factors the warp draws from (default 0.5 and 2).
    """

    def __init__(
        self, n_views: int = 2, slice_ratio: float = 0.9, warp_ratio: float = 0.1, warp_scales: Sequence[float] = (0.5, 2.0)
    ) -> None:
        super().__init__(n_views)
        if not 0 < slice_ratio <= 1:
            raise ValueError(f"slice_ratio must be in (0, 1], got {slice_ratio}")
        self.slice = WindowSlice(slice_ratio) if slice_ratio < 1 else None
        self.warp = WindowWarp(warp_ratio, warp_scales) if warp_ratio > 0 else None

    def view(self, inputs: Any) -> torch.Tensor:
        """Return one view of a ``[B, T, C]`` batch."""
        x = values(inputs)
        if self.slice is not None:
            x = self.slice(x)
        if self.warp is not None:
            x = self.warp(x)
        return x

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}"
