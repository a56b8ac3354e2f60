"""Timestamp masks for TS2Vec's masking: which timestamps an encoder keeps after its input projection."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.timeseries.series import SeriesView, values

MASKS = ("binomial", "continuous", "all_true")


def timestamp_mask(
    batch: int,
    length: int,
    mode: str = "binomial",
    p: float = 0.5,
    device: torch.device | str = "cpu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Return a ``[batch, length]`` bool mask (True = keep), drawn per sample (from ``generator`` when given).

    ``binomial`` keeps each timestamp with probability ``p`` (TS2Vec's default, p 0.5); ``continuous``
    hides 5 spans of 10% of the length each (TS2Vec's alternative); ``all_true`` keeps everything.
    """
    if mode == "binomial":
        return torch.rand(batch, length, device=device, generator=generator) < p
    if mode == "continuous":
        span = max(int(0.1 * length), 1)
        n = max(min(5, length // 2), 1)
        starts = torch.randint(0, length - span + 1, (batch, n, 1), device=device, generator=generator)
        t = torch.arange(length, device=device)
        hidden = ((t >= starts) & (t < starts + span)).any(dim=1)
        return ~hidden
    if mode == "all_true":
        return torch.ones(batch, length, dtype=torch.bool, device=device)
    raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {mode!r}")


class TimestampMask(Augmentation):
    """Mask random timestamps of each series: encoders zero them after their input projection (TS2Vec).

    The values are left alone: the result is a :class:`~anyclr.plugins.timeseries.series.SeriesView`
    whose ``keep`` mask says which timestamps the encoder sees (combined with the input view's own mask,
    if any). Parameters: the mask ``[B, T]`` (True = keep).

    Args:
        mode: ``binomial`` (default), ``continuous`` or ``all_true`` (see :func:`timestamp_mask`).
        mask_p: probability that ``binomial`` keeps a timestamp (default 0.5).
        p: probability that a series is masked at all (default 1).
    """

    def __init__(self, mode: str = "binomial", mask_p: float = 0.5, p: float = 1.0) -> None:
        super().__init__()
        if mode not in MASKS:
            raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {mode!r}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.mode = mode
        self.mask_p = float(mask_p)
        self.p = float(p)

    def sample(self, inputs: Any, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return the mask ``[B, T]``; all True for the series left unmasked."""
        x = values(inputs)
        b, t = x.shape[0], x.shape[1]
        keep = timestamp_mask(b, t, self.mode, self.mask_p, x.device, generator)
        if self.p < 1:
            masked = torch.rand(b, 1, device=x.device, generator=generator) < self.p
            keep = keep | ~masked
        return keep

    def apply(self, inputs: Any, params: torch.Tensor) -> SeriesView:
        """Return the view with ``params`` as (or within) its timestamp mask."""
        if isinstance(inputs, SeriesView):
            keep = params if inputs.keep is None else inputs.keep & params
            return SeriesView(inputs.x, keep, inputs.overlap, inputs.window)
        return SeriesView(values(inputs), params)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}, mask_p={self.mask_p}, p={self.p}"
