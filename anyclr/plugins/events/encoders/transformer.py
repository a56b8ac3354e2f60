"""A Transformer over an entity's events: field embeddings, positions, padding-masked self-attention, pooling."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from anyclr.plugins.events.batch import EventBatch
from anyclr.plugins.events.encoders.fields import EventFields

POOLS = ("mean", "last", "max")


def positions(length: int, dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Return the ``[length, dim]`` sine/cosine encoding of event positions (Vaswani et al. 2017)."""
    pos = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    out = torch.zeros(length, dim, device=device)
    out[:, 0::2] = torch.sin(pos * freq)
    out[:, 1::2] = torch.cos(pos * freq)[:, : dim // 2]
    return out


class EventTransformer(nn.Module):
    """Field embeddings projected to ``width``, plus event positions, through Transformer layers that ignore
    padding; pooled over each entity's events to ``[B, width]``.

    Args:
        event_fields: the dataset's ``event_fields`` (from its info).
        width: model width and embedding size (default 128).
        depth: layers (default 2).
        heads: attention heads (default 4).
        ff_mult: feed-forward width as a multiple of ``width`` (default 2).
        dropout: dropout in the layers (default 0.1).
        cat_dim, num_dim, calendar_dim: field embedding widths (see ``EventFields``).
        pool: ``mean`` over events (default), ``last`` event or ``max``.
    """

    def __init__(
        self,
        event_fields: dict[str, Any] | None = None,
        width: int = 128,
        depth: int = 2,
        heads: int = 4,
        ff_mult: int = 2,
        dropout: float = 0.1,
        cat_dim: int = 16,
        num_dim: int = 8,
        calendar_dim: int = 4,
        pool: str = "mean",
    ) -> None:
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(POOLS)}, got {pool!r}")
        if width % heads:
            raise ValueError(f"width ({width}) must be divisible by heads ({heads})")
        self.fields = EventFields(event_fields, cat_dim, num_dim, calendar_dim)
        self.project = nn.Linear(self.fields.out_dim, width)
        layer = nn.TransformerEncoderLayer(width, heads, ff_mult * width, dropout, activation="gelu", batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.out_dim = int(width)
        self.pool = pool

    def forward(self, batch: EventBatch) -> torch.Tensor:
        """Return ``[B, width]`` entity embeddings."""
        h = self.project(self.fields(batch))
        h = h + positions(h.shape[1], h.shape[2], h.device).to(h.dtype)
        mask = batch.mask()
        mask[:, 0] = True  # an empty entity would attend to nothing (NaN)
        h = self.norm(self.layers(h, src_key_padding_mask=~mask))
        if self.pool == "last":
            return h.gather(1, (batch.lengths - 1).clamp_min(0).view(-1, 1, 1).expand(-1, 1, h.shape[2])).squeeze(1)
        keep = mask.unsqueeze(-1)
        if self.pool == "max":
            return h.masked_fill(~keep, float("-inf")).amax(1)
        return (h * keep).sum(1) / keep.sum(1)

    def extra_repr(self) -> str:
        return f"pool={self.pool!r}"
