"""Time shift: move all of an entity's events by the same random offset (calendar features change, gaps do not)."""

from __future__ import annotations

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.events.batch import EventBatch


class TimeShift(Augmentation):
    """Add one offset, uniform in ``[-max_shift, max_shift]``, to every event time of an entity.

    Parameters: the offsets ``[B]`` (0 for entities left alone).

    Args:
        max_shift: the largest offset, in the time column's unit (seconds for timestamps; default 43200, half a day).
        p: probability that an entity is shifted (default 1).
    """

    def __init__(self, max_shift: float = 43200.0, p: float = 1.0) -> None:
        super().__init__()
        if max_shift < 0:
            raise ValueError(f"max_shift must be 0 or more, got {max_shift}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.max_shift = float(max_shift)
        self.p = float(p)

    def sample(self, inputs: EventBatch, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return the offsets ``[B]``."""
        b = len(inputs)
        u = torch.rand(b, 2, device=inputs.time.device, generator=generator, dtype=inputs.time.dtype)
        offset = (2 * u[:, 0] - 1) * self.max_shift
        return torch.where(u[:, 1] < self.p, offset, torch.zeros_like(offset))

    def apply(self, inputs: EventBatch, params: torch.Tensor) -> EventBatch:
        """Shift the real events' times (padding stays 0)."""
        return inputs.with_(time=torch.where(inputs.mask(), inputs.time + params.unsqueeze(1), inputs.time))

    def extra_repr(self) -> str:
        return f"max_shift={self.max_shift}, p={self.p}"
