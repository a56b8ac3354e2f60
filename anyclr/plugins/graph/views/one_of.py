"""Random choice (GraphCL): every graph gets one augmentation drawn from a pool, all graphs in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import reduce

import torch
from torch import nn
from torch_geometric.data import Data

from anyclr.core.errors import AnyclrError
from anyclr.core.views import Augmentation, Step
from anyclr.plugins.graph.batch import count_graphs
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit


@dataclass(kw_only=True)
class OneOfParams(GraphEdit):
    """Which member each graph drew (``choice``, ``[G]``; -1: none) and every member's parameters.

    ``keep`` and ``drop`` merge the members' cuts (their graphs are disjoint), so the batch is cut once.
    """

    choice: torch.Tensor
    members: list[GraphEdit]

    def after_keep(self, keep: torch.Tensor) -> OneOfParams:
        """Re-index every member's parameters for the cut batch."""
        return replace(self, members=[m.after_keep(keep) for m in self.members])


class OneOf(GraphAugmentation):
    """Per graph, one augmentation drawn from ``augmentations`` (GraphCL's random choice, drawn per graph).

    Args:
        augmentations: the pool: graph augmentation tables, e.g.
            ``[{name = "graph-node-drop"}, {name = "graph-edge-perturb", drop = 0.2}]``
            (``{name = "graph-identity"}`` leaves some graphs unchanged).
        weights: relative odds of each member (default: all equal).
        p: probability that a graph is augmented at all (default 1).

    Each member samples its parameters for the graphs that drew it; node removals and edge drops of all
    members are applied together in one pass over the batch, the members' other changes after it.
    """

    def __init__(self, augmentations: Sequence[Step | Augmentation] = (), weights: Sequence[float] | None = None, p: float = 1.0) -> None:
        super().__init__(p)
        members = [_member(a, i) for i, a in enumerate(augmentations)]
        if not members:
            raise AnyclrError("graph-one-of needs at least one augmentation.", 'Add tables such as {name = "graph-node-drop"}; {name = "graph-identity"} changes nothing.')
        if weights is not None:
            weights = [float(w) for w in weights]
            if len(weights) != len(members) or min(weights) < 0 or sum(weights) <= 0:
                raise ValueError(f"weights must be {len(members)} non-negative numbers, not all zero; got {weights}")
            self.register_buffer("weights", torch.tensor(weights) / sum(weights), persistent=False)
        else:
            self.weights = None
        self.members = nn.ModuleList(members)
        self.removes_nodes = any(m.removes_nodes for m in members)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> OneOfParams:
        """Draw each graph's member, then let every member sample the graphs that drew it."""
        k, num_graphs, device = len(self.members), count_graphs(g), active.device
        if k == 1:  # nothing to draw
            choice = torch.where(active, 0, -1)
            members = [self.members[0].sample(g, generator, active)]
        else:
            if self.weights is None:
                choice = torch.randint(k, (num_graphs,), generator=generator, device=device)
            else:
                odds = self.weights.to(device).expand(num_graphs, k)
                choice = torch.multinomial(odds, 1, replacement=True, generator=generator).flatten()
            choice = torch.where(active, choice, -1)  # graphs left alone (p < 1, or outside an enclosing choice) draw none
            members = [m.sample(g, generator, choice == i) for i, m in enumerate(self.members)]
        keeps = [m.keep for m in members if m.keep is not None]
        drops = [m.drop for m in members if m.drop is not None]
        return OneOfParams(
            active=active,
            keep=reduce(torch.logical_and, keeps) if keeps else None,
            drop=reduce(torch.logical_or, drops) if drops else None,
            choice=choice,
            members=members,
        )

    def change(self, g: Data, params: OneOfParams) -> Data:
        """Apply every member's change after the cut (each touches only its own graphs)."""
        for member, p in zip(self.members, params.members, strict=True):
            g = member.change(g, p)
        return g


def _member(augmentation: Step | Augmentation, i: int) -> GraphAugmentation:
    """Return the graph augmentation of a pool entry (a built table or an augmentation)."""
    if isinstance(augmentation, Step):
        if augmentation.share:
            raise AnyclrError(f"graph-one-of augmentations[{i}] has share = {augmentation.share!r}; a member of a random choice cannot share parameters.")
        augmentation = augmentation.augmentation
    if not isinstance(augmentation, GraphAugmentation):
        raise AnyclrError(
            f"graph-one-of augmentations[{i}] is {type(augmentation).__name__}, not a graph augmentation.",
            "Use graph augmentations (graph-node-drop, graph-edge-perturb …; see `anyclr components --kind augmentation`).",
        )
    return augmentation
