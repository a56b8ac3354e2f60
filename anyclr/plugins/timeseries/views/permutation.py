"""Permutation: cut each series into random segments and shuffle them (TS-TCC's strong augmentation)."""

from __future__ import annotations

import torch

from anyclr.plugins.timeseries.views.series_augmentation import SeriesAugmentation


class Permutation(SeriesAugmentation):
    """Cut each series at random points into 1 to ``max_segments - 1`` pieces and shuffle them.

    As TS-TCC: each sample draws its number of segments in ``[1, max_segments)`` and distinct random
    cut points; a one-segment sample is unchanged. Batched: timestamps are sorted by (random rank of
    their segment, position), which keeps every segment's order and shuffles the segments. Parameters:
    the new order of the timestamps ``[B, T]`` (None for series too short to cut, under 3 steps).

    Args:
        max_segments: exclusive upper bound on the number of segments (default 5).
        p: probability that a series is permuted (default 1).
    """

    def __init__(self, max_segments: int = 5, p: float = 1.0) -> None:
        super().__init__(p)
        self.max_segments = int(max_segments)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor | None:
        """Return each series' order of timestamps ``[B, T]``."""
        b, t = x.shape[0], x.shape[1]
        if t < 3 or self.max_segments <= 2:
            return None
        device = x.device
        n_segs = torch.randint(1, self.max_segments, (b, 1), device=device, generator=generator)
        # Distinct cut points in 1..T-2: rank random scores, keep the n_segs - 1 smallest ranks.
        scores = torch.rand(b, t - 2, device=device, generator=generator)
        rank = scores.argsort(dim=1).argsort(dim=1)
        cuts = torch.zeros(b, t, dtype=torch.bool, device=device)
        cuts[:, 1 : t - 1] = rank < (n_segs - 1)
        segment = cuts.long().cumsum(dim=1)  # segment id of every timestamp
        shuffle = torch.rand(b, self.max_segments, device=device, generator=generator)
        seg_rank = shuffle.argsort(dim=1).argsort(dim=1)  # a shuffle of the segments
        return (seg_rank.gather(1, segment) * t + torch.arange(t, device=device)).argsort(dim=1)

    def change(self, x: torch.Tensor, drawn: torch.Tensor | None) -> torch.Tensor:
        """Return ``x`` with its timestamps reordered."""
        if drawn is None:
            return x
        return x.gather(1, drawn.unsqueeze(-1).expand(-1, -1, x.shape[-1]))

    def extra_repr(self) -> str:
        return f"max_segments={self.max_segments}, p={self.p}"
