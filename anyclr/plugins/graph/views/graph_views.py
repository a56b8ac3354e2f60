"""The tuned graph views: GraphCL's random choice per graph (or GRACE's augmentations in turn), drawn fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch_geometric.data import Batch

from anyclr.core.errors import AnyclrError, unknown_name
from anyclr.core.views import Augmentation, Compose, Step
from anyclr.plugins.graph.batch import repeat_batch, split_batch
from anyclr.plugins.graph.views.node_drop import NodeDrop
from anyclr.plugins.graph.views.one_of import OneOf
from anyclr.plugins.graph.views.rw_subgraph import RandomWalkSubgraph

PICKS = ("one", "all")


class GraphViews(Compose):
    """Views of graphs by augmentation components, applied to a whole PyG ``Batch`` (or a ``NodeBatch``'s graph).

    Args:
        n_views: number of views (default 2).
        augmentations: augmentation tables, e.g. ``[{name = "graph-node-drop", ratio = 0.2},
            {name = "graph-edge-perturb", drop = 0.2}]``; a list of lists gives each view its own
            (GRACE's two views drop different fractions). Default: node drop and random-walk subgraph.
        pick: ``one`` — each graph gets one augmentation of the list, drawn per graph (GraphCL's random
            choice, as ``graph-one-of``); ``all`` — every augmentation is applied in turn (GRACE).
        level: ``graph`` or ``node`` (filled in from the dataset).

    When every view has the same augmentations, the views are drawn together, in one pass over a batch
    holding every graph ``n_views`` times: fewer, larger operations than drawing the views one by one.
    """

    def __init__(self, n_views: int = 2, augmentations: Sequence[Any] = (), pick: str = "one", level: str = "graph") -> None:
        if pick not in PICKS:
            raise unknown_name("views.pick", pick, PICKS)
        entries = [augmentations] if isinstance(augmentations, str) else list(augmentations)
        entries = entries or [NodeDrop(level=level), RandomWalkSubgraph(level=level)]
        per_view = all(isinstance(e, (list, tuple)) for e in entries)
        pipelines = [[_step(e, f"views.augmentations[{v}][{i}]") for i, e in enumerate(p)] for v, p in enumerate(entries)] if per_view else [
            [_step(e, f"views.augmentations[{i}]") for i, e in enumerate(entries)]
        ]
        for v, pipeline in enumerate(pipelines):
            if not pipeline:
                raise AnyclrError(f"views.augmentations: view {v + 1} has no augmentations.", 'Use [{name = "graph-identity"}] for an unchanged view.')
        if pick == "one":
            pipelines = [[Step(OneOf(pipeline))] for pipeline in pipelines]
        if len(pipelines) != 1 and len(pipelines) != n_views:
            raise AnyclrError(f"views.augmentations gives {len(pipelines)} per-view lists but views.n_views is {n_views}.")
        super().__init__(pipelines, n_views)
        self.pick, self.level = pick, level
        # One list for every view: the same modules draw every view, so they can draw them all at once.
        self.shared = len(pipelines) == 1 and not any(step.share for step in pipelines[0])

    @torch.no_grad()
    def forward(self, inputs: Any) -> list[Any]:
        """Return ``n_views`` augmented views of a ``Batch`` (or of a ``NodeBatch``'s graph, same nodes)."""
        if self.shared and self.n_views > 1 and isinstance(inputs, Batch):
            x = repeat_batch(inputs, self.n_views)
            for step in self.pipelines[0]:
                x = step.augmentation(x)
            return split_batch(x, self.n_views)
        return super().forward(inputs)

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}, pick={self.pick!r}, level={self.level!r}"


def _step(entry: Any, key: str) -> Step:
    """Return a pipeline step for one entry of ``views.augmentations`` (a built table, or an augmentation)."""
    if isinstance(entry, Step):
        return entry
    if isinstance(entry, Augmentation):
        return Step(entry)
    if isinstance(entry, str):
        name = "graph-" + entry.replace("_", "-")
        raise AnyclrError(
            f"{key} is the string {entry!r}; graph augmentations are now tables naming a component.",
            f'Write {{name = "{name}"}} (with its parameters, e.g. ratio = 0.2); see `anyclr components --kind augmentation`.',
        )
    raise AnyclrError(f'{key} must be an augmentation table such as {{name = "graph-node-drop"}}, got {entry!r}.')
