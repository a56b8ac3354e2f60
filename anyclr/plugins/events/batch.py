"""One entity's events and a padded batch of them: what datasets, views, encoders and objectives pass around.

Categorical values are int64 codes (a stable hash of the value's text, see
:func:`~anyclr.plugins.events.datasets.codes.value_codes`); the encoder maps them to its vocabulary. Numeric
values are float32 (NaN where missing, ``log1p`` already applied where the recipe asked); times are float64
(seconds since 1970 for timestamps, the column's own unit for numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

PAD_CODE = 0  # categorical value of padding positions (masked out by ``lengths``)
MASK_CODE = 1  # a value no vocabulary holds: field masking writes it, the encoder reads it as unknown


@dataclass
class EventSequence:
    """One entity's events, sorted by time: ``time [L]`` float64, ``categorical [L, Fc]`` int64, ``numeric [L, Fn]`` float32."""

    time: np.ndarray
    categorical: np.ndarray
    numeric: np.ndarray

    def __len__(self) -> int:
        return len(self.time)


@dataclass
class EventBatch:
    """Entities' events padded at the end to the longest: ``time [B, T]``, ``categorical [B, T, Fc]``,
    ``numeric [B, T, Fn]`` and ``lengths [B]`` (events per entity; positions past it are padding)."""

    time: torch.Tensor
    categorical: torch.Tensor
    numeric: torch.Tensor
    lengths: torch.Tensor

    def __len__(self) -> int:
        return self.time.shape[0]

    @property
    def max_len(self) -> int:
        """Padded length ``T``."""
        return self.time.shape[1]

    def mask(self) -> torch.Tensor:
        """Return ``[B, T]`` bool: True at real events, False at padding."""
        return torch.arange(self.max_len, device=self.lengths.device) < self.lengths.unsqueeze(1)

    def to(self, device: torch.device | str, non_blocking: bool = False) -> EventBatch:
        """Return the batch with its tensors on ``device``."""
        move = lambda t: t.to(device, non_blocking=non_blocking)  # noqa: E731
        return EventBatch(move(self.time), move(self.categorical), move(self.numeric), move(self.lengths))

    def pin_memory(self) -> EventBatch:
        """Return the batch in page-locked memory (CUDA loaders)."""
        return EventBatch(self.time.pin_memory(), self.categorical.pin_memory(), self.numeric.pin_memory(), self.lengths.pin_memory())

    def gather(self, index: torch.Tensor, lengths: torch.Tensor) -> EventBatch:
        """Return the events at ``index [B, T']`` of each entity, ``lengths [B]`` of them real (the rest padding)."""
        index = index.clamp(0, max(self.max_len - 1, 0))
        keep = torch.arange(index.shape[1], device=index.device) < lengths.unsqueeze(1)
        time = torch.gather(self.time, 1, index).masked_fill(~keep, 0.0)
        cat_index = index.unsqueeze(-1).expand(-1, -1, self.categorical.shape[2])
        categorical = torch.gather(self.categorical, 1, cat_index).masked_fill(~keep.unsqueeze(-1), PAD_CODE)
        num_index = index.unsqueeze(-1).expand(-1, -1, self.numeric.shape[2])
        numeric = torch.gather(self.numeric, 1, num_index).masked_fill(~keep.unsqueeze(-1), 0.0)
        return EventBatch(time, categorical, numeric, lengths)

    def with_(self, **changes: Any) -> EventBatch:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)


def cat_batches(batches: list[EventBatch]) -> EventBatch:
    """Stack batches along the entity axis (padding the shorter ones)."""
    t = max(b.max_len for b in batches)

    def pad(x: torch.Tensor, value: float) -> torch.Tensor:
        if x.shape[1] == t:
            return x
        shape = (x.shape[0], t - x.shape[1], *x.shape[2:])
        return torch.cat([x, x.new_full(shape, value)], dim=1)

    return EventBatch(
        torch.cat([pad(b.time, 0.0) for b in batches]),
        torch.cat([pad(b.categorical, PAD_CODE) for b in batches]),
        torch.cat([pad(b.numeric, 0.0) for b in batches]),
        torch.cat([b.lengths for b in batches]),
    )


def pad_sequences(items: list[EventSequence]) -> EventBatch:
    """Pad entities' events into one :class:`EventBatch`."""
    lengths = np.array([len(s) for s in items], dtype=np.int64)
    b, t = len(items), max(int(lengths.max(initial=0)), 1)
    fc = items[0].categorical.shape[1] if items else 0
    fn = items[0].numeric.shape[1] if items else 0
    time = np.zeros((b, t), np.float64)
    categorical = np.full((b, t, fc), PAD_CODE, np.int64)
    numeric = np.zeros((b, t, fn), np.float32)
    for i, s in enumerate(items):
        n = len(s)
        time[i, :n] = s.time
        categorical[i, :n] = s.categorical
        numeric[i, :n] = s.numeric
    return EventBatch(torch.from_numpy(time), torch.from_numpy(categorical), torch.from_numpy(numeric), torch.from_numpy(lengths))


def collate_events(items: list[tuple[EventSequence, int]]) -> tuple[EventBatch, torch.Tensor]:
    """Batch ``(EventSequence, label)`` samples: padded events and a long tensor of labels."""
    sequences, labels = zip(*items, strict=True)
    return pad_sequences(list(sequences)), torch.tensor(labels, dtype=torch.long)
