"""The classical baseline (the ``raw_input`` row): hand-made aggregates of each entity's events.

What the CoLES paper compares against: per entity, the number of events and the span of its activity, the
count of each value of each categorical field, and the mean, standard deviation and sum of each numeric field.
"""

from __future__ import annotations

from typing import Any

import torch

from anyclr.plugins.events.batch import EventBatch
from anyclr.plugins.events.vocabulary import lookup

HASH_BUCKETS = 64


class Aggregates:
    """Callable ``EventBatch -> [B, F]`` aggregates; categorical counts over the training vocabulary in ``event_fields``
    (or, without it, over ``HASH_BUCKETS`` hashed buckets per field)."""

    def __init__(self, event_fields: dict[str, Any] | None = None) -> None:
        self.vocab = []
        for spec in (event_fields or {}).get("categorical", {}).values():
            known = torch.as_tensor(spec["codes"], dtype=torch.long)
            self.vocab.append((known, torch.as_tensor(spec["rows"], dtype=torch.long), int(spec["size"])))

    def describe(self) -> str:
        """Say what the features are (the run's note on the raw_input baseline)."""
        counts = "counts of each value of each categorical field" if self.vocab else f"counts per {HASH_BUCKETS} hashed buckets of each categorical field"
        return f"per-entity aggregates: event count, activity span, {counts}, mean/std/sum of each numeric field"

    def __call__(self, batch: EventBatch) -> torch.Tensor:
        """Return the aggregates of a batch ``[B, F]`` (float32)."""
        mask = batch.mask()
        b = len(batch)
        last = batch.time.gather(1, (batch.lengths - 1).clamp_min(0).unsqueeze(1)).squeeze(1)
        parts = [batch.lengths.float().unsqueeze(1), (last - batch.time[:, 0]).float().unsqueeze(1)]
        for j in range(batch.categorical.shape[2]):
            codes = batch.categorical[:, :, j]
            if self.vocab:
                known, rows, size = self.vocab[j]
                row, _ = lookup(codes, known.to(codes.device), rows.to(codes.device))
            else:
                size = HASH_BUCKETS
                row = torch.remainder(codes, HASH_BUCKETS)
            counts = torch.zeros(b, size, device=codes.device)
            counts.scatter_add_(1, row, mask.float())
            parts.append(counts)
        values = batch.numeric.double()
        present = mask.unsqueeze(-1) & torch.isfinite(values)
        n = present.sum(1).clamp_min(1)
        zeroed = torch.where(present, values, torch.zeros_like(values))
        total = zeroed.sum(1)
        mean = total / n
        var = (torch.where(present, values - mean.unsqueeze(1), torch.zeros_like(values)) ** 2).sum(1) / n
        parts += [mean.float(), var.sqrt().float(), total.float()]
        return torch.cat(parts, dim=1)


def hashed_aggregates(batch: EventBatch) -> torch.Tensor:
    """Aggregates with categorical counts over hashed buckets (shards carry no vocabulary for this baseline)."""
    return Aggregates()(batch)
