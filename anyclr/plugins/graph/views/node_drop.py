"""Node dropping (GraphCL): remove a fraction of each graph's nodes and their edges."""

from __future__ import annotations

import torch
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, rank_in_graph
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit


class NodeDrop(GraphAugmentation):
    """Drop ``floor(ratio * n)`` random nodes of every graph (never its last node).

    Args:
        ratio: fraction of each graph's nodes to remove (default 0.2).
        p: probability that a graph is augmented (default 1).
        level: filled in from the dataset; node-level data (samples are nodes) is refused.

    One random key per node, ranked within its graph, picks the dropped nodes of every graph at once;
    the parameters are the keep mask ``[N]``.
    """

    removes_nodes = True

    def __init__(self, ratio: float = 0.2, p: float = 1.0, level: str = "graph") -> None:
        super().__init__(p, level)
        if not 0 <= ratio < 1:
            raise ValueError(f"node drop ratio must be in [0, 1), got {ratio}")
        self.ratio = float(ratio)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> GraphEdit:
        """Draw the keep mask ``[N]``; graphs where ``active`` is false keep every node."""
        batch, num_graphs = graph_index(g), count_graphs(g)
        n = torch.bincount(batch, minlength=num_graphs)
        drop = torch.minimum(torch.floor(n * self.ratio).long(), n - 1) * active.long()
        keys = torch.rand(batch.numel(), generator=generator, device=batch.device)
        rank = rank_in_graph(batch, keys, num_graphs, span=1.0)
        return GraphEdit(active=active, keep=rank >= drop[batch])

    def extra_repr(self) -> str:
        return self.with_p(f"ratio={self.ratio}")
