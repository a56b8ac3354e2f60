"""Event dropout: leave out random events of each entity (at least one is always kept)."""

from __future__ import annotations

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.events.batch import EventBatch


class EventDropout(Augmentation):
    """Drop each event with probability ``rate``; the remaining events close up, in order.

    Parameters: the events kept ``[B, T]`` (True = kept; an entity that would lose every event keeps its first).

    Args:
        rate: probability that an event is dropped (default 0.1).
        p: probability that an entity is touched at all (default 1).
    """

    def __init__(self, rate: float = 0.1, p: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"rate must be in [0, 1), got {rate}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.rate = float(rate)
        self.p = float(p)

    def sample(self, inputs: EventBatch, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return which events are kept ``[B, T]``."""
        b, t = inputs.time.shape
        device = inputs.time.device
        keep = torch.rand(b, t, device=device, generator=generator) >= self.rate
        if self.p < 1:
            keep |= (torch.rand(b, 1, device=device, generator=generator) >= self.p)
        keep &= inputs.mask()
        keep[:, 0] |= ~keep.any(dim=1)
        return keep

    def apply(self, inputs: EventBatch, params: torch.Tensor) -> EventBatch:
        """Keep the chosen events, moved to the front in their order."""
        order = torch.sort((~params).to(torch.int8), dim=1, stable=True).indices  # kept events first, in order
        lengths = params.sum(dim=1)
        width = max(int(lengths.max()) if len(lengths) else 1, 1)
        return inputs.gather(order[:, :width], lengths)

    def extra_repr(self) -> str:
        return f"rate={self.rate}, p={self.p}"
