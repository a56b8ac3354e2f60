"""The base of time-series augmentations that change a series' values, each sample with probability ``p``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.timeseries.series import values, with_values


@dataclass
class SeriesParams:
    """What a series augmentation drew for a batch: its own parameters, and which samples it changes."""

    drawn: Any  # the augmentation's parameters for the whole batch (noise, factors, positions, masks)
    chosen: torch.Tensor | None = None  # [B] bool; None: every sample


class SeriesAugmentation(Augmentation):
    """Base for augmentations of series values ``[B, T, C]`` (NaN = missing) that keep their shape.

    Subclasses implement :meth:`draw` (every random choice for the batch, from ``generator`` when given)
    and :meth:`change` (deterministic). Inputs are tensors ``[B, T, C]`` (or ``[B, T]``) or a
    :class:`~anyclr.plugins.timeseries.series.SeriesView`, whose values are changed and the rest kept.

    Args:
        p: probability that a sample is augmented (default 1; the coin is drawn after the parameters,
            and only when ``p < 1``).
    """

    def __init__(self, p: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.p = float(p)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> Any:
        """Return this augmentation's random parameters for the values ``x`` ``[B, T, C]``."""
        raise NotImplementedError

    def change(self, x: torch.Tensor, drawn: Any) -> torch.Tensor:
        """Return the values ``x`` ``[B, T, C]`` changed by the parameters ``drawn`` (every sample)."""
        raise NotImplementedError

    def sample(self, inputs: Any, generator: torch.Generator | None = None) -> SeriesParams:
        """Draw the parameters for the batch, then which samples to change."""
        x = values(inputs)
        drawn = self.draw(x, generator)
        chosen = None if self.p >= 1 else torch.rand(x.shape[0], device=x.device, generator=generator) < self.p
        return SeriesParams(drawn, chosen)

    def apply(self, inputs: Any, params: SeriesParams) -> Any:
        """Change the chosen samples' values."""
        x = values(inputs)
        out = self.change(x, params.drawn)
        if params.chosen is not None:
            out = torch.where(params.chosen.view(-1, 1, 1), out, x)
        return with_values(inputs, out)
