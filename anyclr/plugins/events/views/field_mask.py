"""Field masking: hide random values of the events' fields (categorical values read as unknown, numbers as missing)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.events.batch import MASK_CODE, EventBatch


@dataclass
class FieldMaskParams:
    """Which values are hidden: ``categorical [B, T, Fc]`` and ``numeric [B, T, Fn]`` (True = hidden)."""

    categorical: torch.Tensor
    numeric: torch.Tensor


class FieldMask(Augmentation):
    """Hide each field value of each event with probability ``rate``.

    A hidden categorical value becomes a code no vocabulary holds (the encoder embeds it as unknown); a hidden
    number becomes NaN (the encoder reads it as missing: 0 after scaling).

    Args:
        rate: probability that a value is hidden (default 0.1).
        p: probability that an entity is masked at all (default 1).
    """

    def __init__(self, rate: float = 0.1, p: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be in [0, 1], got {rate}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.rate = float(rate)
        self.p = float(p)

    def sample(self, inputs: EventBatch, generator: torch.Generator | None = None) -> FieldMaskParams:
        """Draw the hidden values."""
        b, t, fc = inputs.categorical.shape
        fn = inputs.numeric.shape[2]
        device = inputs.time.device
        u = torch.rand(b, t, fc + fn, device=device, generator=generator)
        hidden = (u < self.rate) & inputs.mask().unsqueeze(-1)
        if self.p < 1:
            hidden &= torch.rand(b, 1, 1, device=device, generator=generator) < self.p
        return FieldMaskParams(hidden[..., :fc], hidden[..., fc:])

    def apply(self, inputs: EventBatch, params: FieldMaskParams) -> EventBatch:
        """Hide the chosen values."""
        return inputs.with_(
            categorical=inputs.categorical.masked_fill(params.categorical, MASK_CODE),
            numeric=inputs.numeric.masked_fill(params.numeric, float("nan")),
        )

    def extra_repr(self) -> str:
        return f"rate={self.rate}, p={self.p}"
