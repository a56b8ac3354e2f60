"""Random-walk subgraph (GraphCL's "subgraph"): keep a connected region grown by random walks from one seed."""

from __future__ import annotations

import torch
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, node_ptr, rank_in_graph
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit

CHECK_EVERY = 4  # growth steps between checks (each check syncs with the device)


class RandomWalkSubgraph(GraphAugmentation):
    """Keep ``n - floor(ratio * n)`` nodes of each graph: a connected region grown by random-walk steps from a random seed.

    Args:
        ratio: fraction of each graph's nodes to leave out (default 0.2, as in GraphCL).
        max_steps: most growth steps (default 32); a graph whose seed's component is smaller than the
            target keeps just that component.
        walkers: random-walk steps each node of the region takes per growth step (default 2).
        p: probability that a graph is augmented (default 1).
        level: filled in from the dataset; node-level data (samples are nodes) is refused.

    Each step, every node already in a graph's region takes ``walkers`` random-walk steps and the
    neighbours it lands on join (so the region stays connected and grows outwards from the seed, like GraphCL's
    neighbourhood expansion, roughly doubling per step). Nodes are ranked by the step they joined
    (ties at random) and each graph keeps its first nodes. All graphs grow together, one vectorised
    step at a time; growth stops once every graph has enough nodes or has stopped growing. The
    parameters are the keep mask ``[N]``.
    """

    removes_nodes = True

    def __init__(self, ratio: float = 0.2, max_steps: int = 32, walkers: int = 2, p: float = 1.0, level: str = "graph") -> None:
        super().__init__(p, level)
        if not 0 <= ratio < 1:
            raise ValueError(f"subgraph ratio must be in [0, 1), got {ratio}")
        if walkers < 1 or max_steps < 1:
            raise ValueError(f"subgraph walkers and max_steps must be positive, got {walkers} and {max_steps}")
        self.ratio, self.max_steps, self.walkers = float(ratio), int(max_steps), int(walkers)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> GraphEdit:
        """Grow the regions and return their keep mask ``[N]``; graphs where ``active`` is false keep every node."""
        return GraphEdit(active=active, keep=self._keep(g, active, generator))

    def _keep(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        batch, num_graphs = graph_index(g), count_graphs(g)
        row, col = g.edge_index
        on = active[batch]
        if bool(on.all()):
            return self._grow(row, col, batch, num_graphs, generator)
        # Grow only inside the active graphs: renumber their nodes and edges, grow, map back.
        nodes = torch.nonzero(on).flatten()
        new_id = torch.cumsum(on.long(), 0) - 1
        inside = on[row]
        keep = torch.ones_like(on)
        keep[nodes] = self._grow(new_id[row[inside]], new_id[col[inside]], batch[nodes], num_graphs, generator)
        return keep

    def _grow(
        self, row: torch.Tensor, col: torch.Tensor, batch: torch.Tensor, num_graphs: int, generator: torch.Generator | None
    ) -> torch.Tensor:
        """Return the keep mask of every graph's region, grown on the graphs given by node ``batch`` and edges."""
        device, n_nodes = batch.device, batch.numel()
        sizes = torch.bincount(batch, minlength=num_graphs)
        target = sizes - torch.floor(sizes * self.ratio).long()
        present = sizes > 0  # graphs left out of this call have no nodes here
        seed = (node_ptr(batch, num_graphs)[:-1] + (torch.rand(num_graphs, generator=generator, device=device) * sizes).long())[present]
        # Neighbour lists (CSR); a node without neighbours walks to itself.
        lonely = torch.nonzero(torch.bincount(row, minlength=n_nodes) == 0).flatten()
        row, col = torch.cat([row, lonely]), torch.cat([col, lonely])
        order = torch.argsort(row, stable=True)
        neighbours, degree = col[order], torch.bincount(row, minlength=n_nodes)
        start = torch.cat([degree.new_zeros(1), degree.cumsum(0)])[:-1]

        joined = torch.full((n_nodes,), float("inf"), device=device)
        joined[seed] = 0.0
        todo = target < sizes
        if bool(todo.any()):
            before = torch.ones_like(sizes)
            for first in range(1, self.max_steps + 1, CHECK_EVERY):
                steps = min(CHECK_EVERY, self.max_steps + 1 - first)
                # Where every node's walkers land in each of the next steps, drawn at once: [steps, walkers * N].
                landed = neighbours[start + (torch.rand(steps, self.walkers, n_nodes, generator=generator, device=device) * degree).long()]
                for k in range(steps):
                    # A node in the region (joined <= step) sends "step" to where its walkers land; others send inf.
                    sent = joined.clamp(min=float(first + k))
                    for w in range(self.walkers):  # amin is order-free: walker by walker equals all at once
                        joined.scatter_reduce_(0, landed[k, w], sent, reduce="amin")
                # Stop once every graph has enough nodes or stopped growing (its component is covered).
                reached = torch.bincount(batch, weights=torch.isfinite(joined).float(), minlength=num_graphs).long()
                if bool(((reached >= target) | ~todo | (reached == before)).all()):
                    break
                before = reached
        # Earlier joiners first; ties broken at random; nodes that never joined rank last.
        order_key = joined.clamp(max=float(self.max_steps + 1)) + torch.rand(n_nodes, generator=generator, device=device) * 0.5
        rank = rank_in_graph(batch, order_key, num_graphs, span=float(self.max_steps + 2))
        return (rank < target[batch]) & torch.isfinite(joined)

    def extra_repr(self) -> str:
        return self.with_p(f"ratio={self.ratio}, max_steps={self.max_steps}, walkers={self.walkers}")
