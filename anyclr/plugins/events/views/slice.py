"""CoLES's random contiguous slices: a sub-sequence of random length at a random place in each entity's events."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.events.batch import EventBatch


@dataclass
class SliceParams:
    """Where each entity's slice starts and how many events it holds (``[B]`` each)."""

    start: torch.Tensor
    length: torch.Tensor


class RandomSlice(Augmentation):
    """Keep a random run of consecutive events of each entity (Babaev et al. 2022, CoLES; ptls ``SampleSlices``).

    The length is drawn uniformly from ``[min_len, max_len]``, capped at the entity's own length (an entity
    shorter than ``min_len`` keeps all its events); the start uniformly among the places it fits.

    Args:
        min_len: shortest slice (default 25).
        max_len: longest slice (default 200).
    """

    def __init__(self, min_len: int = 25, max_len: int = 200) -> None:
        super().__init__()
        if min_len < 1 or max_len < min_len:
            raise ValueError(f"need 1 <= min_len <= max_len, got min_len={min_len}, max_len={max_len}")
        self.min_len = int(min_len)
        self.max_len = int(max_len)

    def sample(self, inputs: EventBatch, generator: torch.Generator | None = None) -> SliceParams:
        """Draw each entity's slice length, then its start."""
        n = inputs.lengths
        low = n.clamp(max=self.min_len)
        high = n.clamp(max=self.max_len)
        u = torch.rand(len(n), 2, device=n.device, generator=generator)
        length = low + (u[:, 0] * (high - low + 1).double()).long().clamp(max=high - low)
        start = (u[:, 1] * (n - length + 1).double()).long().clamp(max=n - length)
        return SliceParams(start, length)

    def apply(self, inputs: EventBatch, params: SliceParams) -> EventBatch:
        """Cut the slices out (padded to the longest)."""
        width = int(params.length.max()) if len(params.length) else 1
        index = params.start.unsqueeze(1) + torch.arange(max(width, 1), device=params.start.device)
        return inputs.gather(index, params.length)

    def extra_repr(self) -> str:
        return f"min_len={self.min_len}, max_len={self.max_len}"
