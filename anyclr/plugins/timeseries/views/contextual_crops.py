"""TS2Vec's contextual-consistency views: two overlapping random crops of each series, plus timestamp masks."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.errors import AnyclrError
from anyclr.core.views import ViewGenerator
from anyclr.plugins.timeseries.series import SeriesView, values
from anyclr.plugins.timeseries.views.timestamp_mask import MASKS, TimestampMask


def take_windows(x: torch.Tensor, starts: torch.Tensor, length: int) -> torch.Tensor:
    """Return ``x[b, starts[b] : starts[b] + length]`` for every sample ``b`` (one gather)."""
    idx = starts.unsqueeze(1) + torch.arange(length, device=x.device)
    return x.gather(1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))


class ContextualCrops(ViewGenerator):
    """Two overlapping crops of every series, contrasted on their overlap (Yue et al. 2022, arXiv 2106.10466).

    As TS2Vec: an overlap ``[a1, b1)`` of random length (at least ``2 ** (temporal_unit + 1)``) is drawn
    for the batch; view 1 extends it to the left to a random ``a2 <= a1``, view 2 to the right to a
    random ``b2 >= b1``, and each sample shifts the whole window by its own random offset, so the two
    views see the overlap in different contexts. Each view is a
    :class:`~anyclr.plugins.timeseries.series.SeriesView` carrying a timestamp mask (``keep``, from
    ``timeseries-timestamp-mask``) that the encoder applies after its input projection, and
    ``overlap = (start, length)``: where the common timestamps sit in the view. Series longer than
    ``max_length`` are first cut to a random window.

    Args:
        mask: ``binomial`` (default), ``continuous`` or ``all_true`` (see :func:`timestamp_mask`).
        mask_p: probability that ``binomial`` keeps a timestamp (default 0.5).
        temporal_unit: sets the shortest overlap, ``2 ** (temporal_unit + 1)`` steps (default 0).
        max_length: longest training window (default 3000, TS2Vec's ``max_train_length``).
        shortest_series_length, shortest_series: filled in from the dataset's ``info`` (the fewest observed
            timestamps of any series, and where that series is); a series too short to crop is an error.
    """

    def __init__(
        self,
        n_views: int = 2,
        mask: str = "binomial",
        mask_p: float = 0.5,
        temporal_unit: int = 0,
        max_length: int = 3000,
        shortest_series_length: int | None = None,
        shortest_series: str | None = None,
    ) -> None:
        super().__init__(n_views)
        if n_views != 2:
            raise ValueError(f"contextual crops come in pairs: n_views must be 2, got {n_views}")
        if mask not in MASKS:
            raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {mask!r}")
        self.mask = mask
        self.mask_p = float(mask_p)
        self.masking = TimestampMask(mask, mask_p)
        self.temporal_unit = int(temporal_unit)
        self.max_length = int(max_length)
        if self.max_length < self.min_crop:
            raise ValueError(f"max_length must be at least the shortest crop, {self.min_crop}")
        if shortest_series_length is not None and shortest_series_length < self.min_crop:
            raise AnyclrError(
                f"{shortest_series or 'A series'} has only {shortest_series_length} observed timestamps, but the crops need at least "
                f"{self.min_crop} (2 ** (views.temporal_unit + 1)).",
                "Remove or lengthen that series, or lower views.temporal_unit.",
            )

    @property
    def min_crop(self) -> int:
        """The shortest overlap the crops draw."""
        return 2 ** (self.temporal_unit + 1)

    def forward(self, inputs: Any) -> list[SeriesView]:
        """Return the two crop views of a ``[B, T, C]`` batch."""
        x = values(inputs)
        b, t = x.shape[0], x.shape[1]
        if t < self.min_crop:
            raise AnyclrError(
                f"The series are {t} steps long, but the crops need at least {self.min_crop}.",
                "Lower views.temporal_unit, or use longer series.",
            )
        if t > self.max_length:
            x = take_windows(x, torch.randint(0, t - self.max_length + 1, (b,), device=x.device), self.max_length)
            t = self.max_length
        # The batch shares the crop geometry (so the overlaps align); each sample gets its own offset.
        overlap = _randint(self.min_crop, t + 1)
        left = _randint(0, t - overlap + 1)
        right = left + overlap
        ext_left = _randint(0, left + 1)
        ext_right = _randint(right, t + 1)
        offset = torch.randint(-ext_left, t - ext_right + 1, (b,), device=x.device)
        len1, len2 = right - ext_left, ext_right - left
        view1 = take_windows(x, offset + ext_left, len1)
        view2 = take_windows(x, offset + left, len2)
        return [
            SeriesView(view1, self.masking.sample(view1), overlap=(len1 - overlap, overlap)),
            SeriesView(view2, self.masking.sample(view2), overlap=(0, overlap)),
        ]

    def extra_repr(self) -> str:
        return f"mask={self.mask!r}, mask_p={self.mask_p}, temporal_unit={self.temporal_unit}, max_length={self.max_length}"


def _randint(low: int, high: int) -> int:
    """A Python int in ``[low, high)`` from torch's global (CPU) RNG."""
    return int(torch.randint(low, high, (1,)).item())
