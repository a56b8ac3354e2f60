"""A GRU over an entity's events (CoLES's encoder): field embeddings, a recurrent pass, the last hidden state."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from anyclr.plugins.events.batch import EventBatch
from anyclr.plugins.events.encoders.fields import EventFields

POOLS = ("last", "mean", "max")


class EventGRU(nn.Module):
    """Field embeddings, then a GRU over each entity's events, pooled to ``[B, hidden]``.

    Entities are sorted by length and run in ``buckets`` groups, each padded only to its own longest (on CPU
    this is cheaper than one pass over all the padding, and than packing); padding comes after each entity's
    events, so the state at its last event is exact.

    Args:
        event_fields: the dataset's ``event_fields`` (from its info).
        hidden: GRU width, the embedding's size (default 256, as CoLES).
        layers: stacked GRU layers (default 1).
        cat_dim, num_dim, calendar_dim: field embedding widths (see ``EventFields``).
        dropout: dropout on the event vectors and between layers (default 0).
        pool: ``last`` hidden state (CoLES), ``mean`` or ``max`` over events.
        buckets: length groups the batch runs in (default 4; 1: one padded pass).
    """

    def __init__(
        self,
        event_fields: dict[str, Any] | None = None,
        hidden: int = 256,
        layers: int = 1,
        cat_dim: int = 16,
        num_dim: int = 8,
        calendar_dim: int = 4,
        dropout: float = 0.0,
        pool: str = "last",
        buckets: int = 4,
    ) -> None:
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(POOLS)}, got {pool!r}")
        self.fields = EventFields(event_fields, cat_dim, num_dim, calendar_dim)
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRU(self.fields.out_dim, hidden, num_layers=layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.out_dim = int(hidden)
        self.pool = pool
        self.buckets = max(int(buckets), 1)

    def forward(self, batch: EventBatch) -> torch.Tensor:
        """Return ``[B, hidden]`` entity embeddings."""
        x = self.dropout(self.fields(batch))
        lengths = batch.lengths.clamp_min(1)
        if self.buckets == 1 or len(batch) < 2 * self.buckets:
            return self._pooled(x, lengths)
        order = torch.argsort(lengths)
        chunks = order.chunk(self.buckets)
        widths = [int(w) for w in torch.stack([lengths[c].max() for c in chunks]).tolist()]  # one sync for all
        parts = [self._pooled(x[c, :w], lengths[c]) for c, w in zip(chunks, widths, strict=True)]
        return torch.cat(parts)[torch.argsort(order)]

    def _pooled(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(x)
        if self.pool == "last":
            return h.gather(1, (lengths - 1).view(-1, 1, 1).expand(-1, 1, h.shape[2])).squeeze(1)
        mask = (torch.arange(h.shape[1], device=h.device) < lengths.unsqueeze(1)).unsqueeze(-1)
        if self.pool == "mean":
            return (h * mask).sum(1) / mask.sum(1)
        return h.masked_fill(~mask, float("-inf")).amax(1)

    def extra_repr(self) -> str:
        return f"pool={self.pool!r}, buckets={self.buckets}"
