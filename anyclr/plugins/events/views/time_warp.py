"""Time warp: stretch or squeeze an entity's timeline around its first event (every gap by the same factor)."""

from __future__ import annotations

import math

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.events.batch import EventBatch


class TimeWarp(Augmentation):
    """Multiply every gap between an entity's events by one factor, log-uniform in ``[1/max_scale, max_scale]``.

    Parameters: the factors ``[B]`` (1 for entities left alone).

    Args:
        max_scale: the largest stretch (default 1.25).
        p: probability that an entity is warped (default 1).
    """

    def __init__(self, max_scale: float = 1.25, p: float = 1.0) -> None:
        super().__init__()
        if max_scale < 1:
            raise ValueError(f"max_scale must be 1 or more, got {max_scale}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.max_scale = float(max_scale)
        self.p = float(p)

    def sample(self, inputs: EventBatch, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return the factors ``[B]``."""
        u = torch.rand(len(inputs), 2, device=inputs.time.device, generator=generator, dtype=inputs.time.dtype)
        factor = torch.exp((2 * u[:, 0] - 1) * math.log(self.max_scale))
        return torch.where(u[:, 1] < self.p, factor, torch.ones_like(factor))

    def apply(self, inputs: EventBatch, params: torch.Tensor) -> EventBatch:
        """Warp the real events' times around each entity's first event."""
        first = inputs.time[:, :1]
        warped = first + (inputs.time - first) * params.unsqueeze(1)
        return inputs.with_(time=torch.where(inputs.mask(), warped, inputs.time))

    def extra_repr(self) -> str:
        return f"max_scale={self.max_scale}, p={self.p}"
