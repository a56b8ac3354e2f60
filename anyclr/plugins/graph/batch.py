"""What graph batches look like inside anyclr, and the few operations every view needs on them.

Graph-level data travels as a torch-geometric :class:`~torch_geometric.data.Batch` (one sample = one
graph). Node-level data travels as a :class:`NodeBatch`: the whole graph plus the indices of the nodes
that are this batch's samples, because message passing needs every neighbour, not just the batch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import torch
from torch_geometric.data import Batch, Data


@dataclass
class NodeBatch:
    """Some nodes of one graph: ``graph`` is the whole graph, ``index`` the nodes that are the samples."""

    graph: Data
    index: torch.Tensor

    def to(self, device: torch.device | str, non_blocking: bool = False) -> NodeBatch:
        """Return the batch on ``device`` (the core's ``to_device`` calls this)."""
        return NodeBatch(self.graph.to(device, non_blocking=non_blocking), self.index.to(device, non_blocking=non_blocking))

    def __len__(self) -> int:
        return int(self.index.numel())

    def replace(self, graph: Data) -> NodeBatch:
        """Return the same nodes of another version (a view) of the graph."""
        return NodeBatch(graph, self.index)


def graph_index(g: Data) -> torch.Tensor:
    """Return the graph id of every node (all zeros for a single graph)."""
    batch = getattr(g, "batch", None)
    if batch is not None:
        return batch
    return torch.zeros(g.num_nodes, dtype=torch.long, device=g.edge_index.device)


def count_graphs(g: Data) -> int:
    """Return the number of graphs in ``g`` (1 for a single graph)."""
    return int(g.num_graphs) if isinstance(g, Batch) else 1


def node_ptr(batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """Return ``[G + 1]`` offsets of each graph's first node (nodes are grouped by graph)."""
    counts = torch.bincount(batch, minlength=num_graphs)
    return torch.cat([counts.new_zeros(1), counts.cumsum(0)])


def rank_in_graph(batch: torch.Tensor, keys: torch.Tensor, num_graphs: int, span: float | None = None) -> torch.Tensor:
    """Return each node's rank (0 = smallest key) among the nodes of its own graph.

    When every key lies in ``[0, span)``, one sort of ``graph id × span + key`` (in float64) does it;
    otherwise keys are sorted and then stably regrouped by graph.
    """
    if span is not None:
        order = torch.argsort(batch.double() * span + keys.double())
    else:
        order = torch.argsort(keys)
        order = order[torch.argsort(batch[order], stable=True)]
    ptr = node_ptr(batch, num_graphs)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel(), device=order.device) - ptr[batch[order]]
    return rank


_NODE_KEYS = ("x", "batch", "pos")  # known names first: torch-geometric's is_node_attr guesses, slowly
_EDGE_KEYS = ("edge_attr", "edge_weight")


def _split_keys(g: Data) -> tuple[list[str], list[str]]:
    nodes: list[str] = []
    edges: list[str] = []
    for key in g.keys():
        if key in ("ptr", "edge_index"):
            continue
        value = g[key]
        if not torch.is_tensor(value):
            continue
        if key in _NODE_KEYS:
            nodes.append(key)
        elif key in _EDGE_KEYS:
            edges.append(key)
        elif key == "y" and isinstance(g, Batch) and value.dim() > 0 and value.shape[0] == count_graphs(g):
            continue  # graph labels
        elif g.is_node_attr(key):
            nodes.append(key)
        elif g.is_edge_attr(key):
            edges.append(key)
    return nodes, edges


def node_keys(g: Data) -> list[str]:
    """Return the names of ``g``'s node-level attributes (``x``, ``batch`` …), graph labels excluded."""
    return _split_keys(g)[0]


def edge_keys(g: Data) -> list[str]:
    """Return the names of ``g``'s edge-level attributes other than ``edge_index``."""
    return _split_keys(g)[1]


def _copy(g: Data) -> Data:
    """Shallow copy whose attributes can be replaced without touching ``g``."""
    out = copy.copy(g)
    out.__dict__.pop("_split_of", None)  # a copy may be changed: it is no longer a plain part of a split
    for key in ("_slice_dict", "_inc_dict"):  # they describe the original graphs; drop rather than mislead
        out._store.__dict__.pop(key, None)
    return out


def keep_nodes(g: Data, keep: torch.Tensor, drop_edges: torch.Tensor | None = None) -> Data:
    """Return ``g`` restricted to the nodes where ``keep`` is true (edges between kept nodes stay).

    Every node- and edge-level attribute is sliced, node ids are renumbered, and a Batch keeps its
    graph count (callers keep at least one node per graph). ``drop_edges`` (``[E]``) removes those
    edges in the same pass.
    """
    num_graphs = count_graphs(g)
    nodes, edges = _split_keys(g)
    row, col = g.edge_index
    edge_keep = keep[row] & keep[col]
    if drop_edges is not None:
        edge_keep &= ~drop_edges
    new_id = torch.cumsum(keep.long(), 0) - 1
    out = _copy(g)
    out.edge_index = new_id[g.edge_index[:, edge_keep]]
    for key in nodes:
        out[key] = g[key][keep]
    for key in edges:
        out[key] = g[key][edge_keep]
    if "num_nodes" in g._store:  # an explicit count would go stale
        out.num_nodes = int(keep.sum())
    if isinstance(g, Batch):
        out.ptr = node_ptr(out.batch, num_graphs)
        out._num_graphs = num_graphs
    return out


def replace_edges(g: Data, edge_index: torch.Tensor, **edge_values: Any) -> Data:
    """Return ``g`` with new edges; edge-level attributes not given in ``edge_values`` are dropped."""
    out = _copy(g)
    for key in edge_keys(g):
        if key not in edge_values:
            del out[key]
    out.edge_index = edge_index
    for key, value in edge_values.items():
        out[key] = value
    if isinstance(g, Batch):
        out._num_graphs = count_graphs(g)
    return out


def replace_nodes(g: Data, **node_values: Any) -> Data:
    """Return ``g`` with some node attributes (e.g. ``x``) replaced."""
    out = _copy(g)
    for key, value in node_values.items():
        out[key] = value
    if isinstance(g, Batch):
        out._num_graphs = count_graphs(g)
    return out


def repeat_batch(b: Batch, times: int) -> Batch:
    """Return ``times`` copies of every graph of ``b`` as one Batch (copy k holds graphs k·G … (k+1)·G − 1)."""
    num_graphs, n = count_graphs(b), b.num_nodes
    nodes, edges = _split_keys(b)
    out = _copy(b)
    out.edge_index = torch.cat([b.edge_index + k * n for k in range(times)], dim=1)
    for key in nodes:
        value = b[key]
        out[key] = torch.cat([value + k * num_graphs for k in range(times)]) if key == "batch" else value.repeat(times, *[1] * (value.dim() - 1))
    for key in edges:
        out[key] = b[key].repeat(times, *[1] * (b[key].dim() - 1))
    if "y" in b and torch.is_tensor(b.y) and b.y.dim() > 0 and b.y.shape[0] == num_graphs:
        out.y = b.y.repeat(times, *[1] * (b.y.dim() - 1))
    out.ptr = node_ptr(out.batch, num_graphs * times)
    out._num_graphs = num_graphs * times
    return out


def split_batch(b: Batch, parts: int) -> list[Batch]:
    """Split a Batch of ``parts`` equal runs of graphs (as :func:`repeat_batch` makes them) into ``parts`` Batches."""
    num_graphs = count_graphs(b) // parts
    nodes, edges = _split_keys(b)
    ptr = node_ptr(b.batch, num_graphs * parts)
    cuts = ptr[:: num_graphs].contiguous()  # first node of each part, and the end
    bounds = cuts.tolist()
    part_of_edge = torch.bucketize(b.edge_index[0], cuts[1:-1], right=True)
    graph_level = "y" in b and torch.is_tensor(b.y) and b.y.dim() > 0 and b.y.shape[0] == num_graphs * parts
    out = []
    for k in range(parts):
        lo, hi = bounds[k], bounds[k + 1]
        mask = part_of_edge == k
        piece = _copy(b)
        piece.edge_index = b.edge_index[:, mask] - lo
        for key in nodes:
            piece[key] = b[key][lo:hi] - k * num_graphs if key == "batch" else b[key][lo:hi]
        for key in edges:
            piece[key] = b[key][mask]
        if graph_level:
            piece.y = b.y[k * num_graphs : (k + 1) * num_graphs]
        if "num_nodes" in b._store:
            piece.num_nodes = hi - lo
        piece.ptr = ptr[k * num_graphs : (k + 1) * num_graphs + 1] - lo
        piece._num_graphs = num_graphs
        object.__setattr__(piece, "_split_of", (b, k, parts, _fingerprint(piece)))
        out.append(piece)
    return out


def _fingerprint(g: Data) -> tuple[tuple[str, int], ...]:
    return tuple((key, id(value)) for key, value in g._store.items())


def _whole_of(batches: list[Batch]) -> Batch | None:
    """Return the Batch that ``batches`` were split from, when they are all its unchanged parts, in order."""
    marks = [b.__dict__.get("_split_of") for b in batches]
    if any(m is None for m in marks):
        return None
    whole = marks[0][0]
    for k, (b, (w, part, parts, fingerprint)) in enumerate(zip(batches, marks, strict=True)):
        if w is not whole or part != k or parts != len(batches) or fingerprint != _fingerprint(b):
            return None
    return whole


def concat_batches(batches: list[Batch]) -> Batch:
    """Return one Batch holding the graphs of ``batches`` in order (the inverse of :func:`split_batch`)."""
    whole = _whole_of(batches)
    if whole is not None:  # the views were drawn as one batch and split: hand back that batch, copy-free
        return whole
    first = batches[0]
    nodes, edges = _split_keys(first)
    sizes = [b.num_nodes for b in batches]
    graphs = [count_graphs(b) for b in batches]
    node_offsets = [sum(sizes[:k]) for k in range(len(batches))]
    graph_offsets = [sum(graphs[:k]) for k in range(len(batches))]
    out = _copy(first)
    out.edge_index = torch.cat([b.edge_index + o for b, o in zip(batches, node_offsets, strict=True)], dim=1)
    for key in nodes:
        if key == "batch":
            out.batch = torch.cat([b.batch + o for b, o in zip(batches, graph_offsets, strict=True)])
        else:
            out[key] = torch.cat([b[key] for b in batches])
    for key in edges:
        out[key] = torch.cat([b[key] for b in batches])
    if "y" in first and torch.is_tensor(first.y) and first.y.dim() > 0 and first.y.shape[0] == graphs[0]:
        out.y = torch.cat([b.y for b in batches])
    if "num_nodes" in first._store:
        out.num_nodes = sum(sizes)
    out.ptr = node_ptr(out.batch, sum(graphs))
    out._num_graphs = sum(graphs)
    return out
