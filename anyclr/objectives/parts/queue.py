"""A first-in-first-out queue of embeddings kept as buffers (MoCo negatives, NNCLR support set, SwAV queue)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Queue(nn.Module):
    """A ring buffer of ``size`` rows of width ``dim``; contents and pointer are buffers, so checkpoints keep them.

    Args:
        size: number of rows kept.
        dim: width of each row.
        random_init: start full of random unit vectors (MoCo) instead of empty (NNCLR, SwAV).
    """

    def __init__(self, size: int, dim: int, random_init: bool = False) -> None:
        super().__init__()
        if size < 1 or dim < 1:
            raise ValueError(f"queue size and dim must be positive, got {size}, {dim}")
        items = F.normalize(torch.randn(size, dim), dim=1) if random_init else torch.zeros(size, dim)
        self.register_buffer("items", items)
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))
        self.register_buffer("filled", torch.tensor(size if random_init else 0, dtype=torch.long))

    @property
    def size(self) -> int:
        """Capacity in rows."""
        return self.items.shape[0]

    def get(self) -> torch.Tensor:
        """Return the filled rows (all of them once the queue has wrapped around)."""
        return self.items[: int(self.filled)]

    @torch.no_grad()
    def push(self, rows: torch.Tensor) -> None:
        """Append ``rows``, overwriting the oldest; pass the rows gathered from all ranks so every rank agrees."""
        rows = rows.detach().to(self.items.dtype)[-self.size :]
        n, start = rows.shape[0], int(self.ptr)
        first = min(n, self.size - start)
        self.items[start : start + first] = rows[:first]
        self.items[: n - first] = rows[first:]
        self.ptr.fill_((start + n) % self.size)
        self.filled.fill_(min(int(self.filled) + n, self.size))

    def extra_repr(self) -> str:
        return f"size={self.size}, dim={self.items.shape[1]}"
