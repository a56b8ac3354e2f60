"""The graph view generator: GraphCL-style random augmentations of a whole batch of graphs (or of one graph's nodes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch_geometric.data import Batch

from anyclr.core.errors import AnyclrError, unknown_name
from anyclr.core.views import ViewGenerator
from anyclr.plugins.graph.batch import NodeBatch, count_graphs, keep_nodes, repeat_batch, split_batch
from anyclr.plugins.graph.views.attr_mask import AttributeMask
from anyclr.plugins.graph.views.diffusion import Diffusion
from anyclr.plugins.graph.views.edge_perturb import EdgePerturb
from anyclr.plugins.graph.views.feature_noise import FeatureNoise
from anyclr.plugins.graph.views.node_drop import NodeDrop
from anyclr.plugins.graph.views.rw_subgraph import RandomWalkSubgraph

AUGMENTATIONS = ("identity", "node_drop", "subgraph", "edge_perturb", "attr_mask", "feature_noise", "diffusion")
CHANGES_NODES = ("node_drop", "subgraph")  # not usable when the samples are the nodes themselves
PICKS = ("one", "all")


def _per_view(name: str, value: Any, n_views: int) -> list[Any]:
    """Expand a scalar to one value per view; a list must have one entry per view."""
    if isinstance(value, (list, tuple)):
        if len(value) != n_views:
            raise AnyclrError(f"views.{name} has {len(value)} entries but views.n_views is {n_views}.", "Give one value, or one per view.")
        return list(value)
    return [value] * n_views


class GraphViews(ViewGenerator):
    """Views of graphs by random augmentations, applied to a whole PyG ``Batch`` at once.

    Args:
        n_views: number of views (default 2).
        augmentations: the pool, from ``identity``, ``node_drop``, ``subgraph`` (a connected region
            grown by random walks from a random seed), ``edge_perturb``, ``attr_mask``, ``feature_noise``,
            ``diffusion``; a list of lists gives
            each view its own pool (e.g. ``[["identity"], ["node_drop", "subgraph"]]``).
        pick: ``one`` — each graph gets one augmentation drawn from the pool (GraphCL's random
            choice, drawn per graph); ``all`` — every augmentation is applied in turn (GRACE).
        node_drop, subgraph: fraction of nodes removed (default 0.2 each).
        edge_drop, edge_add: fraction of edges dropped (default 0.2) and added (default 0).
        attr_mask: masking probability (default 0.2); mask_mode ``node`` or ``feature``; mask_fill
            ``zero``, ``noise`` or ``mean``.
        noise: feature-noise standard deviation (default 0.1).
        diffusion: ``ppr`` or ``heat``; alpha, t, topk, eps: its parameters (see ``Diffusion``).
        level: ``graph`` or ``node`` (filled in from the dataset): node-level data cannot drop nodes.

    The ratios may be lists with one value per view (GRACE uses different rates for its two views).
    Every random draw is per graph (per node, per edge) from torch's global RNG on the batch's device.
    """

    def __init__(
        self,
        n_views: int = 2,
        augmentations: Sequence[Any] = ("node_drop", "subgraph"),
        pick: str = "one",
        node_drop: Any = 0.2,
        subgraph: Any = 0.2,
        edge_drop: Any = 0.2,
        edge_add: Any = 0.0,
        attr_mask: Any = 0.2,
        mask_mode: str = "node",
        mask_fill: str = "zero",
        noise: Any = 0.1,
        diffusion: str = "ppr",
        alpha: float = 0.2,
        t: float = 5.0,
        topk: int = 0,
        eps: float = 1e-3,
        level: str = "graph",
    ) -> None:
        super().__init__(n_views)
        if pick not in PICKS:
            raise unknown_name("views.pick", pick, PICKS)
        if isinstance(augmentations, str):
            augmentations = [augmentations]
        pools = (
            [list(p) for p in augmentations]
            if augmentations and all(isinstance(a, (list, tuple)) for a in augmentations)
            else [list(augmentations)] * n_views
        )
        if len(pools) != n_views:
            raise AnyclrError(f"views.augmentations gives {len(pools)} pools but views.n_views is {n_views}.")
        ratios = {
            name: _per_view(name, value, n_views)
            for name, value in (
                ("node_drop", node_drop),
                ("subgraph", subgraph),
                ("edge_drop", edge_drop),
                ("edge_add", edge_add),
                ("attr_mask", attr_mask),
                ("noise", noise),
            )
        }
        self.pick, self.level, self.pools = pick, level, pools
        # Views drawn with the same settings are drawn together, in one pass over a batch holding every
        # graph n_views times: fewer, larger operations than drawing the views one by one.
        self.shared = all(p == pools[0] for p in pools) and all(all(v == r[0] for v in r) for r in ratios.values())
        views = []
        for v, pool in enumerate(pools):
            if not pool:
                raise AnyclrError(f"views.augmentations: view {v + 1} has an empty pool.", "Use ['identity'] for an unchanged view.")
            ops = []
            for name in pool:
                if name not in AUGMENTATIONS:
                    raise unknown_name("graph augmentation in views.augmentations:", name, AUGMENTATIONS)
                if level == "node" and name in CHANGES_NODES:
                    raise AnyclrError(
                        f"views.augmentations: {name!r} removes nodes, but this dataset's samples are nodes.",
                        "For node-level data use edge_perturb, attr_mask, feature_noise or diffusion.",
                    )
                try:
                    ops.append(self._build(name, {k: r[v] for k, r in ratios.items()}, mask_mode, mask_fill, diffusion, alpha, t, topk, eps))
                except ValueError as exc:
                    raise AnyclrError(f"views: {exc}.") from None
            views.append(nn.ModuleList(ops))
        self.ops = nn.ModuleList(views)

    @staticmethod
    def _build(name: str, r: dict[str, float], mask_mode: str, mask_fill: str, diffusion: str, alpha: float, t: float, topk: int, eps: float) -> nn.Module:
        if name == "identity":
            return nn.Identity()
        if name == "node_drop":
            return NodeDrop(r["node_drop"])
        if name == "subgraph":
            return RandomWalkSubgraph(r["subgraph"])
        if name == "edge_perturb":
            return EdgePerturb(r["edge_drop"], r["edge_add"])
        if name == "attr_mask":
            return AttributeMask(r["attr_mask"], mask_mode, mask_fill)
        if name == "feature_noise":
            return FeatureNoise(r["noise"])
        return Diffusion(diffusion, alpha, t, topk, eps)

    def view_of(self, g: Any, v: int) -> Any:
        """Return view number ``v`` of a graph or batch of graphs."""
        ops = self.ops[v]
        num_graphs = count_graphs(g)
        device = g.edge_index.device
        if self.pick == "one" and len(ops) > 1:
            choice = torch.randint(len(ops), (num_graphs,), device=device)
            actives = [choice == k for k in range(len(ops))]
        else:
            actives = [torch.ones(num_graphs, dtype=torch.bool, device=device)] * len(ops)
        if self.pick == "all":
            for op in ops:
                if not isinstance(op, nn.Identity):
                    g = op(g, actives[0])
            return g
        # One augmentation per graph: the graphs' sets are disjoint, so the order does not matter. Node
        # removal and edge dropping only draw masks here, and one pass applies them all at the end.
        keep, drop, later = None, None, []
        for op, active in zip(ops, actives, strict=True):
            if isinstance(op, (NodeDrop, RandomWalkSubgraph)):
                mask = op.sample(g, active)
                keep = mask if keep is None else keep & mask
            elif isinstance(op, EdgePerturb) and op.add <= 0:
                mask = op.sample(g, active)[0]
                drop = mask if drop is None else drop | mask
            elif not isinstance(op, nn.Identity):
                later.append((op, active))
        if keep is not None or drop is not None:
            full = keep if keep is not None else torch.ones(g.num_nodes, dtype=torch.bool, device=device)
            g = keep_nodes(g, full, drop)
        for op, active in later:
            g = op(g, active)
        return g

    @torch.no_grad()
    def forward(self, inputs: Any) -> list[Any]:
        """Return ``n_views`` augmented views of a ``Batch`` (or of a ``NodeBatch``'s graph, same nodes)."""
        if isinstance(inputs, NodeBatch):
            return [inputs.replace(self.view_of(inputs.graph, v)) for v in range(self.n_views)]
        if self.shared and self.n_views > 1 and isinstance(inputs, Batch):
            return split_batch(self.view_of(repeat_batch(inputs, self.n_views), 0), self.n_views)
        return [self.view_of(inputs, v) for v in range(self.n_views)]

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}, pick={self.pick!r}, level={self.level!r}"
