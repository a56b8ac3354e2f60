"""Graph diffusion (MVGRL's second view): personalised PageRank or heat-kernel edges, as in torch-geometric's GDC."""

from __future__ import annotations

import torch
from torch_geometric.data import Data
from torch_geometric.transforms import GDC

from anyclr.core.errors import AnyclrError
from anyclr.plugins.graph.batch import count_graphs, graph_index, node_ptr, replace_edges
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit

METHODS = ("ppr", "heat")
MAX_DENSE = 1 << 24  # matrix entries per chunk of graphs (64 MiB in float32)


class Diffusion(GraphAugmentation):
    """Replace each graph's edges by its sparsified diffusion matrix, with the weights in ``edge_weight``.

    Args:
        method: ``ppr`` (personalised PageRank, ``α (I − (1 − α) T)⁻¹``) or ``heat`` (``exp(t (T − I))``).
        alpha: PPR teleport probability (default 0.2).
        t: heat-kernel diffusion time (default 5).
        topk: keep the ``topk`` largest entries of every column; 0 keeps entries ≥ ``eps`` (default 0).
        eps: threshold used when ``topk`` is 0 (default 1e-3).
        p: probability that a graph is augmented (default 1).

    The steps and defaults are GDC's exact mode (``self_loop_weight=1``, symmetric transition matrix in,
    column-normalised out); it is computed for all graphs of a batch in one batched dense solve (graphs
    are padded to the largest one), so it suits graphs of up to a few thousand nodes. The diffusion is
    deterministic: use it as one view opposite the original graph or a random augmentation. Its
    parameters are just which graphs it applies to (``active``).
    """

    def __init__(self, method: str = "ppr", alpha: float = 0.2, t: float = 5.0, topk: int = 0, eps: float = 1e-3, p: float = 1.0) -> None:
        super().__init__(p)
        if method not in METHODS:
            raise ValueError(f"diffusion method must be one of {METHODS}, got {method!r}")
        self.method, self.alpha, self.t, self.topk, self.eps = method, float(alpha), float(t), int(topk), float(eps)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> GraphEdit:
        """The diffusion draws nothing at random (beyond ``p``): the parameters say which graphs it applies to."""
        return GraphEdit(active=active)

    def _diffuse(self, adj: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        eye = torch.eye(adj.shape[-1], device=adj.device, dtype=adj.dtype).expand_as(adj)
        adj = adj + eye * valid[:, :, None]  # self loops of weight 1 on real nodes
        deg = adj.sum(dim=1)  # column sums, as GDC's "sym" normalisation
        inv_sqrt = torch.where(deg > 0, deg.clamp_min(1e-12).rsqrt(), torch.zeros_like(deg))
        trans = inv_sqrt[:, :, None] * adj * inv_sqrt[:, None, :]
        if self.method == "ppr":
            diff = self.alpha * torch.linalg.inv(eye - (1 - self.alpha) * trans)
        else:
            diff = torch.linalg.matrix_exp(self.t * (trans - eye))
        both = valid[:, :, None] & valid[:, None, :]
        return torch.where(both, diff, torch.zeros_like(diff)), both

    def change(self, g: Data, params: GraphEdit) -> Data:
        """Return ``g`` whose active graphs carry diffusion edges (inactive graphs keep theirs, weight 1)."""
        active = params.active
        batch, num_graphs = graph_index(g), count_graphs(g)
        device = batch.device
        sizes = torch.bincount(batch, minlength=num_graphs)
        ptr = node_ptr(batch, num_graphs)
        row, col = g.edge_index
        weight = g.edge_weight.float() if "edge_weight" in g else torch.ones(row.numel(), device=device)
        largest = int(sizes.max())
        if largest * largest > MAX_DENSE:
            raise AnyclrError(
                f"The diffusion view needs a dense {largest}x{largest} matrix for a graph of {largest} nodes; that is too large.",
                "Leave graph-diffusion out of views.augmentations for graphs this big.",
            )
        chunk = max(1, MAX_DENSE // (largest * largest))
        graphs = torch.nonzero(active).flatten().tolist()
        new_edges, new_weights = [], []
        for start in range(0, len(graphs), chunk):  # a loop over memory-sized chunks of graphs, not over graphs
            ids = torch.tensor(graphs[start : start + chunk], device=device)
            pick = torch.zeros(num_graphs, dtype=torch.bool, device=device)
            pick[ids] = True
            local = torch.full((num_graphs,), -1, dtype=torch.long, device=device)
            local[ids] = torch.arange(len(ids), device=device)
            emask = pick[batch[row]]
            e_graph = local[batch[row[emask]]]
            src = row[emask] - ptr[batch[row[emask]]]
            dst = col[emask] - ptr[batch[col[emask]]]
            adj = torch.zeros(len(ids), largest, largest, device=device)
            adj.index_put_((e_graph, src, dst), weight[emask], accumulate=True)
            valid = torch.arange(largest, device=device)[None, :] < sizes[ids][:, None]
            diff, both = self._diffuse(adj, valid)
            if self.topk > 0:  # keep the top-k rows of every column
                k = min(self.topk, largest)
                scores = torch.where(both, diff, torch.full_like(diff, -1.0))
                top = torch.topk(scores, k, dim=1).indices
                keep = torch.zeros_like(both).scatter_(1, top, True) & both
            else:
                keep = (diff >= self.eps) & both
            gi, i, j = torch.nonzero(keep, as_tuple=True)
            w = diff[gi, i, j]
            base = ptr[ids][gi]
            e = torch.stack([base + i, base + j])
            colsum = torch.zeros(batch.numel(), device=device).index_add_(0, e[1], w)
            new_edges.append(e)
            new_weights.append(w / colsum[e[1]])  # column-normalised, as GDC's default output
        old = ~active[batch[row]]
        edge_index = torch.cat([g.edge_index[:, old], *new_edges], dim=1)
        edge_weight = torch.cat([weight[old], *new_weights])
        return replace_edges(g, edge_index, edge_weight=edge_weight)

    def extra_repr(self) -> str:
        return self.with_p(f"method={self.method!r}, alpha={self.alpha}, t={self.t}, topk={self.topk}, eps={self.eps}")


def gdc_reference(g: Data, method: str = "ppr", alpha: float = 0.2, t: float = 5.0, eps: float = 1e-3) -> Data:
    """torch-geometric's own exact GDC on one graph, with the settings :class:`Diffusion` mirrors (for tests)."""
    kwargs = {"method": method, "alpha": alpha} if method == "ppr" else {"method": method, "t": t}
    gdc = GDC(
        self_loop_weight=1,
        normalization_in="sym",
        normalization_out="col",
        diffusion_kwargs=kwargs,
        sparsification_kwargs={"method": "threshold", "eps": eps},
        exact=True,
    )
    return gdc(Data(edge_index=g.edge_index.clone(), num_nodes=g.num_nodes))
