"""The shape of every graph augmentation: sample a :class:`GraphEdit` for a whole batch, then apply it in two stages.

Stage one cuts: it keeps some nodes and drops some edges, in one pass over the batch (``keep`` and ``drop``).
Stage two changes what remains without adding or removing nodes (features, added or replaced edges of the
augmented graphs). Because every augmentation says its cut as masks, a random choice between several
augmentations (:class:`~anyclr.plugins.graph.views.one_of.OneOf`) merges its members' masks and cuts once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import torch
from torch_geometric.data import Data

from anyclr.core.errors import AnyclrError
from anyclr.core.views import Augmentation
from anyclr.plugins.graph.batch import NodeBatch, count_graphs, edge_keys, keep_nodes, replace_edges

LEVELS = ("graph", "node")
NODE_SAFE = "graph-edge-perturb, graph-attr-mask, graph-feature-noise or graph-diffusion"


@dataclass(kw_only=True)
class GraphEdit:
    """The sampled parameters of one graph augmentation for a whole batch.

    Attributes:
        active: ``[G]`` the graphs this view changes.
        keep: ``[N]`` the nodes kept by the cut (None: all).
        drop: ``[E]`` the edges removed by the cut (None: none).

    Subclasses add what their augmentation changes after the cut (features, added edges …).
    """

    active: torch.Tensor
    keep: torch.Tensor | None = None
    drop: torch.Tensor | None = None

    def after_keep(self, keep: torch.Tensor) -> GraphEdit:
        """Return these parameters re-indexed for the batch cut down to the nodes where ``keep`` is true.

        Only called when the nodes of this augmentation's own active graphs are all kept, or cut by itself.
        """
        return self


def new_ids(keep: torch.Tensor) -> torch.Tensor:
    """Return the id each kept node has once the nodes where ``keep`` is false are removed."""
    return torch.cumsum(keep.long(), 0) - 1


def cut(g: Data, keep: torch.Tensor | None, drop: torch.Tensor | None) -> Data:
    """Return ``g`` with only the nodes where ``keep`` is true and without the edges where ``drop`` is true."""
    if keep is not None:
        return keep_nodes(g, keep, drop)
    if drop is None:
        return g
    kept = ~drop
    return replace_edges(g, g.edge_index[:, kept], **{key: g[key][kept] for key in edge_keys(g)})


class GraphAugmentation(Augmentation):
    """Base of graph augmentations on a torch-geometric ``Batch`` (or a :class:`NodeBatch`'s graph).

    Args:
        p: probability that a graph is augmented, drawn per graph (default 1: every graph).
        level: ``graph`` or ``node`` (filled in from the dataset); augmentations that remove nodes refuse
            node-level data, whose samples are the nodes.

    Subclasses implement :meth:`sample_graphs` (every random draw, for all graphs at once, on the batch's
    device) and, when they change more than the cut, :meth:`change`.
    """

    removes_nodes: ClassVar[bool] = False

    def __init__(self, p: float = 1.0, level: str = "graph") -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"p must be in [0, 1], got {p}")
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        if level == "node" and self.removes_nodes:
            raise self._node_level_error()
        self.p = float(p)

    def _node_level_error(self) -> AnyclrError:
        return AnyclrError(
            f"{type(self).__name__} removes nodes, but this dataset's samples are nodes.",
            f"For node-level data use {NODE_SAFE}.",
        )

    def graph(self, inputs: Any) -> Data:
        """Return the graph (or batch of graphs) that ``inputs`` augments."""
        if isinstance(inputs, NodeBatch):
            if self.removes_nodes:
                raise self._node_level_error()
            return inputs.graph
        return inputs

    def sample(self, inputs: Any, generator: torch.Generator | None = None, active: torch.Tensor | None = None) -> GraphEdit:
        """Return the parameters of one view; only graphs where ``active`` (``[G]``, default all) is true may change."""
        g = self.graph(inputs)
        num_graphs = count_graphs(g)
        device = g.edge_index.device
        on = active if active is not None else torch.ones(num_graphs, dtype=torch.bool, device=device)
        if self.p < 1:
            on = on & (torch.rand(num_graphs, generator=generator, device=device) < self.p)
        return self.sample_graphs(g, on, generator)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> GraphEdit:
        """Return the parameters for the graphs of ``g`` where ``active`` is true (the others stay as they are)."""
        raise NotImplementedError

    def change(self, g: Data, params: GraphEdit) -> Data:
        """Return ``g`` (already cut) with the rest of the augmentation applied; never adds or removes nodes."""
        return g

    def apply(self, inputs: Any, params: GraphEdit) -> Any:
        """Return ``inputs`` augmented with ``params``: the cut, then the change."""
        g = self.graph(inputs)
        if params.keep is not None or params.drop is not None:
            g = cut(g, params.keep, params.drop)
            if params.keep is not None:
                params = params.after_keep(params.keep)
        g = self.change(g, params)
        return inputs.replace(g) if isinstance(inputs, NodeBatch) else g

    def with_p(self, text: str) -> str:
        """Return ``text`` (a subclass's ``extra_repr``) followed by ``p`` when not every graph is augmented."""
        return ", ".join(part for part in (text, f"p={self.p}" if self.p < 1 else "") if part)

    def extra_repr(self) -> str:
        return self.with_p("")


def restrict(params: GraphEdit, keep: torch.Tensor, **rows: torch.Tensor | None) -> GraphEdit:
    """Return ``params`` with its node-indexed tensors ``rows`` cut to the kept nodes (None stays None)."""
    return replace(params, **{k: (v[keep] if v is not None else None) for k, v in rows.items()})
