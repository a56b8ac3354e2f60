"""What every time-series component shares: the view structure, reading a batch, masks, masked pooling.

A batch is ``[B, T, C]`` floats with NaN for missing values (and for the padding after a short series),
or a :class:`SeriesView`: such values plus what views tell encoders and objectives about them (a
timestamp mask, where the overlap with the other view sits, which timestamps to encode).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch

from anyclr.core.errors import AnyclrError


@dataclass
class SeriesView:
    """One view of a batch of series.

    Attributes:
        x: ``[B, T, C]`` floats, NaN where missing.
        keep: ``[B, T]`` bool timestamp mask that encoders apply after their input projection (TS2Vec's
            timestamp masking); None keeps every timestamp.
        overlap: ``(start, length)``: where the timestamps this view shares with the other view sit (TS2Vec's
            contextual crops); None: the whole view.
        window: ``(starts [B], length)``: encode only ``length`` timestamps from ``starts[b]`` of each series
            (objectives ask for the overlap alone); None: every timestamp.
    """

    x: torch.Tensor
    keep: torch.Tensor | None = None
    overlap: tuple[int, int] | None = None
    window: tuple[torch.Tensor, int] | None = None

    def to(self, device: torch.device | str, non_blocking: bool = False) -> SeriesView:
        """Return the view with its tensors on ``device``."""
        move = lambda t: None if t is None else t.to(device, non_blocking=non_blocking)  # noqa: E731
        window = None if self.window is None else (move(self.window[0]), self.window[1])
        return replace(self, x=move(self.x), keep=move(self.keep), window=window)

    def __len__(self) -> int:
        return self.x.shape[0]

    def __getitem__(self, key: str) -> Any:
        """``view["x"]`` reads ``view.x`` (the views were dicts before; attribute access is the way now)."""
        if key not in ("x", "keep", "overlap", "window"):
            raise KeyError(key)
        return getattr(self, key)


def values(inputs: Any) -> torch.Tensor:
    """Return the values ``[B, T, C]`` of a batch (tensor ``[B, T, C]`` or ``[B, T]``, or :class:`SeriesView`)."""
    x = inputs.x if isinstance(inputs, SeriesView) else inputs
    return x.unsqueeze(-1) if x.dim() == 2 else x


def with_values(inputs: Any, x: torch.Tensor) -> Any:
    """Return ``x`` in the form of ``inputs``: a :class:`SeriesView` keeps its other fields, a tensor is replaced."""
    return replace(inputs, x=x) if isinstance(inputs, SeriesView) else x


@dataclass
class SeriesBatch:
    """A batch split into zero-filled values, which timestamps are observed, and the view's timestamp mask."""

    x: torch.Tensor  # [B, T, C], missing values replaced by 0
    observed: torch.Tensor  # [B, T] bool: at least one channel observed
    keep: torch.Tensor | None  # [B, T] bool from the view, or None (keep everything)
    inside: torch.Tensor | None  # [B, T] bool: before the end of the series (None: no end padding in the batch)

    def input_mask(self) -> torch.Tensor:
        """Return ``[B, T]``: the timestamps whose projected input is kept (observed and not masked by the view)."""
        return self.observed if self.keep is None else self.observed & self.keep


def as_series(inputs: Any, in_channels: int | None = None) -> SeriesBatch:
    """Read a batch (tensor or :class:`SeriesView`) into a :class:`SeriesBatch`, checking its channel count."""
    keep = None
    if isinstance(inputs, SeriesView):
        keep = inputs.keep
        inputs = inputs.x
    x = inputs
    if x.dim() == 2:  # [B, T]: univariate
        x = x.unsqueeze(-1)
    if x.dim() != 3:
        raise AnyclrError(f"A time-series batch must be [batch, time, channels], got shape {tuple(inputs.shape)}.")
    if in_channels is not None and x.shape[-1] != in_channels:
        raise AnyclrError(
            f"The input has {x.shape[-1]} channel(s) but the encoder was built for {in_channels}.",
            "Use data with the same channels as the training data.",
        )
    missing = torch.isnan(x)
    observed = ~missing.all(dim=-1)
    inside = series_extent(observed)
    # Encoders zero the end padding after every layer; on the (common) equal-length batch there is none.
    if bool(inside.all()):
        inside = None
    return SeriesBatch(x.masked_fill(missing, 0.0), observed, keep, inside)


def series_extent(observed: torch.Tensor) -> torch.Tensor:
    """Return ``[B, T]``: True up to each series' last observed timestamp (series are padded at the end)."""
    t = torch.arange(1, observed.shape[1] + 1, device=observed.device)
    length = (observed * t).amax(dim=1, keepdim=True)
    return t <= length


def observed_mask(x: torch.Tensor) -> torch.Tensor:
    """Return ``[B, T]``: True where at least one channel of ``x`` ``[B, T, C]`` is observed (not NaN)."""
    return ~torch.isnan(x).all(dim=-1)


def mark_missing(h: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """Return per-timestamp outputs ``h`` ``[B, T, D]`` with NaN where nothing was observed."""
    return h.masked_fill(~observed.unsqueeze(-1), float("nan"))


def max_pool_time(h: torch.Tensor) -> torch.Tensor:
    """Max-pool ``[B, T, D]`` over the observed timestamps (NaN rows are skipped) to ``[B, D]``."""
    if h.dim() == 2:
        return h
    missing = torch.isnan(h)
    pooled = h.masked_fill(missing, float("-inf")).amax(dim=1)
    # A series with nothing observed pools to zeros rather than -inf.
    return pooled.masked_fill(missing.all(dim=1), 0.0)
