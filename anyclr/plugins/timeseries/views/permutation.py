"""Permutation: cut each series into random segments and shuffle them (TS-TCC's strong augmentation)."""

from __future__ import annotations

import torch


def permutation(x: torch.Tensor, max_segments: int = 5) -> torch.Tensor:
    """Return ``x`` ``[B, T, C]`` with each series cut at random points into 1..max_segments-1 pieces, shuffled.

    As TS-TCC: each sample draws its number of segments in ``[1, max_segments)`` and distinct random
    cut points; a one-segment sample is unchanged. Batched: timestamps are sorted by (random rank of
    their segment, position), which keeps every segment's order and shuffles the segments.
    """
    b, t = x.shape[0], x.shape[1]
    if t < 3 or max_segments <= 2:
        return x
    device = x.device
    n_segs = torch.randint(1, max_segments, (b, 1), device=device)
    # Distinct cut points in 1..T-2: rank random scores, keep the n_segs - 1 smallest ranks.
    scores = torch.rand(b, t - 2, device=device)
    rank = scores.argsort(dim=1).argsort(dim=1)
    cuts = torch.zeros(b, t, dtype=torch.bool, device=device)
    cuts[:, 1 : t - 1] = rank < (n_segs - 1)
    segment = cuts.long().cumsum(dim=1)  # segment id of every timestamp
    seg_rank = torch.rand(b, max_segments, device=device).argsort(dim=1).argsort(dim=1)  # a shuffle of segments
    order = (seg_rank.gather(1, segment) * t + torch.arange(t, device=device)).argsort(dim=1)
    return x.gather(1, order.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
