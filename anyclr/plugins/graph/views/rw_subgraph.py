"""Random-walk subgraph (GraphCL's "subgraph"): keep a connected region grown by random walks from one seed."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, keep_nodes, node_ptr, rank_in_graph


class RandomWalkSubgraph(nn.Module):
    """Keep ``n - floor(ratio * n)`` nodes of each graph, reached by random walks from one random seed node.

    Args:
        ratio: fraction of each graph's nodes to leave out (default 0.2, as in GraphCL).
        max_steps: longest walk (default 32); graphs whose walks reach fewer nodes keep fewer.

    Each graph starts as many walkers at its seed as it keeps nodes; all walkers of all graphs step
    together, and a node's first-visit step orders the nodes, so the kept region is connected to the
    seed and grows outwards like GraphCL's neighbourhood expansion — in ``max_steps`` vectorised steps.
    """

    def __init__(self, ratio: float = 0.2, max_steps: int = 32) -> None:
        super().__init__()
        if not 0 <= ratio < 1:
            raise ValueError(f"subgraph ratio must be in [0, 1), got {ratio}")
        self.ratio, self.max_steps = float(ratio), int(max_steps)

    def sample(self, g: Data, active: torch.Tensor) -> torch.Tensor:
        """Return the keep mask ``[N]``; graphs where ``active`` is false keep every node."""
        batch, num_graphs = graph_index(g), count_graphs(g)
        device, n_nodes = batch.device, batch.numel()
        sizes = torch.bincount(batch, minlength=num_graphs)
        target = torch.where(active, sizes - torch.floor(sizes * self.ratio).long(), sizes)
        ptr = node_ptr(batch, num_graphs)
        seed = ptr[:-1] + (torch.rand(num_graphs, device=device) * sizes).long()

        row, col = g.edge_index
        order = torch.argsort(row, stable=True)
        neighbours = col[order]
        degree = torch.bincount(row, minlength=n_nodes)
        row_ptr = torch.cat([degree.new_zeros(1), degree.cumsum(0)])

        walkers = torch.where(active, target, torch.zeros_like(target))
        pos = seed[torch.repeat_interleave(torch.arange(num_graphs, device=device), walkers)]
        first = torch.full((n_nodes,), float("inf"), device=device)
        first[seed] = 0.0
        if neighbours.numel() and pos.numel():
            for step in range(1, self.max_steps + 1):
                d = degree[pos]
                pick = row_ptr[pos] + (torch.rand(pos.numel(), device=device) * d).long()
                pos = torch.where(d > 0, neighbours[pick.clamp(max=neighbours.numel() - 1)], pos)
                first.scatter_reduce_(0, pos, torch.full_like(pos, step, dtype=first.dtype), reduce="amin")
                if step % 8 == 0:  # stop once every graph has reached enough nodes (one sync every 8 steps)
                    reached = torch.bincount(batch[torch.isfinite(first)], minlength=num_graphs)
                    if bool((reached >= target).all()):
                        break
        # Earlier visits first; ties broken at random. Unvisited nodes (inf) rank last.
        rank = rank_in_graph(batch, first + torch.rand(n_nodes, device=device) * 0.5, num_graphs)
        keep = (rank < target[batch]) & torch.isfinite(first)
        return keep | ~active[batch]

    def apply(self, g: Data, keep: torch.Tensor) -> Data:
        """Return ``g`` restricted to the kept nodes."""
        return keep_nodes(g, keep)

    def forward(self, g: Data, active: torch.Tensor | None = None) -> Data:
        """Return a subgraph view of the ``active`` graphs of ``g`` (default: all)."""
        active = active if active is not None else torch.ones(count_graphs(g), dtype=torch.bool, device=g.edge_index.device)
        return self.apply(g, self.sample(g, active))

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, max_steps={self.max_steps}"
