"""Edge perturbation (GraphCL; GRACE's edge removing): drop existing edges and add random ones."""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, edge_keys, graph_index, node_ptr, replace_edges
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit, new_ids


@dataclass(kw_only=True)
class EdgePerturbParams(GraphEdit):
    """The dropped edges (``drop``, ``[E]``, cut with the other masks) and the edges to add (``new``, ``[2, K]``)."""

    new: torch.Tensor

    def after_keep(self, keep: torch.Tensor) -> EdgePerturbParams:
        """Renumber the added edges' nodes for the cut batch."""
        return replace(self, new=new_ids(keep)[self.new]) if self.new.numel() else self


class EdgePerturb(GraphAugmentation):
    """Drop each edge with probability ``drop`` and add ``add`` × (edge count) random edges per graph.

    Args:
        drop: probability of removing an edge (default 0.2).
        add: random edges added to each graph, as a fraction of its edge count (default 0: none).
        undirected: treat ``u→v`` and ``v→u`` as one edge: they are dropped together and added
            edges come in both directions (default True).
        p: probability that a graph is augmented (default 1).

    Added edges stay within their graph; their ``edge_attr`` is zero and their ``edge_weight`` one.
    """

    def __init__(self, drop: float = 0.2, add: float = 0.0, undirected: bool = True, p: float = 1.0) -> None:
        super().__init__(p)
        if not 0 <= drop <= 1 or add < 0:
            raise ValueError(f"edge perturbation needs drop in [0, 1] and add >= 0, got {drop}, {add}")
        self.drop, self.add, self.undirected = float(drop), float(add), bool(undirected)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> EdgePerturbParams:
        """Draw the dropped edges ``[E]`` and the new edges ``[2, K]``; graphs where ``active`` is false are untouched."""
        row, col = g.edge_index
        device = row.device
        batch, num_graphs = graph_index(g), count_graphs(g)
        edge_graph = batch[row]
        if self.undirected:  # one coin per unordered pair, so both directions share it
            n = int(batch.numel())
            _, pair = torch.unique(torch.minimum(row, col) * n + torch.maximum(row, col), return_inverse=True)
            coin = torch.rand(row.numel(), generator=generator, device=device)[pair]  # pair ids are < E: no need to count them
        else:
            coin = torch.rand(row.numel(), generator=generator, device=device)
        drop = (coin < self.drop) & active[edge_graph]
        if self.add <= 0:
            return EdgePerturbParams(active=active, drop=drop, new=row.new_zeros((2, 0)))
        edges = torch.bincount(edge_graph, minlength=num_graphs).float()
        count = torch.round(edges * self.add / (2 if self.undirected else 1)).long() * active.long()
        owner = torch.repeat_interleave(torch.arange(num_graphs, device=device), count)
        sizes = torch.bincount(batch, minlength=num_graphs)
        start = node_ptr(batch, num_graphs)[:-1][owner]
        u = start + (torch.rand(owner.numel(), generator=generator, device=device) * sizes[owner]).long()
        v = start + (torch.rand(owner.numel(), generator=generator, device=device) * sizes[owner]).long()
        new = torch.stack([u, v])[:, u != v]
        if self.undirected:
            new = torch.cat([new, new.flip(0)], dim=1)
        return EdgePerturbParams(active=active, drop=drop, new=new)

    def change(self, g: Data, params: EdgePerturbParams) -> Data:
        """Append the new edges (the dropped ones went with the cut)."""
        new = params.new
        if not new.numel():
            return g
        values = {}
        for key in edge_keys(g):
            old = g[key]
            fill = torch.ones if key == "edge_weight" else torch.zeros
            values[key] = torch.cat([old, fill((new.shape[1], *old.shape[1:]), dtype=old.dtype, device=old.device)])
        return replace_edges(g, torch.cat([g.edge_index, new], dim=1), **values)

    def extra_repr(self) -> str:
        return self.with_p(f"drop={self.drop}, add={self.add}, undirected={self.undirected}")
