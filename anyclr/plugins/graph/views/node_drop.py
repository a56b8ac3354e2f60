"""Node dropping (GraphCL): remove a fraction of each graph's nodes and their edges."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, keep_nodes, rank_in_graph


class NodeDrop(nn.Module):
    """Drop ``floor(ratio * n)`` random nodes of every graph (never its last node).

    Args:
        ratio: fraction of each graph's nodes to remove (default 0.2).

    One random key per node, ranked within its graph, picks the dropped nodes of every graph at once.
    """

    def __init__(self, ratio: float = 0.2) -> None:
        super().__init__()
        if not 0 <= ratio < 1:
            raise ValueError(f"node_drop ratio must be in [0, 1), got {ratio}")
        self.ratio = float(ratio)

    def sample(self, g: Data, active: torch.Tensor) -> torch.Tensor:
        """Return the keep mask ``[N]``; graphs where ``active`` is false keep every node."""
        batch, num_graphs = graph_index(g), count_graphs(g)
        n = torch.bincount(batch, minlength=num_graphs)
        drop = torch.minimum(torch.floor(n * self.ratio).long(), n - 1) * active.long()
        rank = rank_in_graph(batch, torch.rand(batch.numel(), device=batch.device), num_graphs, span=1.0)
        return rank >= drop[batch]

    def apply(self, g: Data, keep: torch.Tensor) -> Data:
        """Return ``g`` without the nodes where ``keep`` is false."""
        return keep_nodes(g, keep)

    def forward(self, g: Data, active: torch.Tensor | None = None) -> Data:
        """Return a view of ``g`` with nodes dropped in the ``active`` graphs (default: all)."""
        active = active if active is not None else torch.ones(count_graphs(g), dtype=torch.bool, device=g.edge_index.device)
        return self.apply(g, self.sample(g, active))

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}"
