"""CoLES's views: several random slices of each entity's events, optionally augmented further."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from anyclr.core.views import Step, ViewGenerator
from anyclr.plugins.events.batch import EventBatch
from anyclr.plugins.events.views.slice import RandomSlice


class ColesViews(ViewGenerator):
    """``n_views`` random contiguous slices of each entity (CoLES: ``split_count`` 5, 25 to 200 events), each
    then passed through ``augmentations`` (event dropout, time warp … as recipe tables), if any.

    The objective treats the slices of one entity as positives and every other entity's as negatives.

    Args:
        n_views: slices per entity (default 5).
        min_len, max_len: slice lengths, in events (default 25 and 200).
        augmentations: more augmentation steps applied to every slice (default none).
    """

    def __init__(self, n_views: int = 5, min_len: int = 25, max_len: int = 200, augmentations: Sequence[Step] = ()) -> None:
        super().__init__(n_views)
        self.slice = RandomSlice(min_len, max_len)
        self.steps = nn.ModuleList(augmentations)

    @torch.no_grad()
    def forward(self, inputs: EventBatch) -> list[EventBatch]:
        """Return ``n_views`` slices of each entity, each augmented."""
        views = []
        for v in range(self.n_views):
            x = self.slice(inputs)
            for step in self.steps:
                x = step(x, v)
            views.append(x)
        return views

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}"
