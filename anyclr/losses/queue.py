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
        # A host-side copy of ``filled``, so that get() needs no device sync each step; re-read after loading.
        self._filled: int | None = None
        self.register_load_state_dict_post_hook(_forget_filled)

    @property
    def size(self) -> int:
        """Capacity in rows."""
        return self.items.shape[0]

    def get(self) -> torch.Tensor:
        """Return the filled rows (all of them once the queue has wrapped around); a view, not a copy."""
        if self._filled is None:
            self._filled = int(self.filled)
        return self.items[: self._filled]

    @torch.no_grad()
    def push(self, rows: torch.Tensor) -> None:
        """Append ``rows``, overwriting the oldest; pass the rows gathered from all ranks so every rank agrees."""
        rows = rows.detach().to(self.items.dtype)[-self.size :]
        n = rows.shape[0]
        # The write position stays on the device: no sync.
        index = torch.arange(n, device=self.items.device).add_(self.ptr).remainder_(self.size)
        self.items.index_copy_(0, index, rows)
        self.ptr.add_(n).remainder_(self.size)
        self.filled.add_(n).clamp_(max=self.size)
        if self._filled is not None:
            self._filled = min(self._filled + n, self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}, dim={self.items.shape[1]}"


def _forget_filled(queue: Queue, incompatible_keys: object) -> None:
    """After ``load_state_dict``: the host-side copy of ``filled`` is stale."""
    queue._filled = None
