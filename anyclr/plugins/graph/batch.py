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


def rank_in_graph(batch: torch.Tensor, keys: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """Return each node's rank (0 = smallest key) among the nodes of its own graph."""
    order = torch.argsort(keys)
    order = order[torch.argsort(batch[order], stable=True)]
    ptr = node_ptr(batch, num_graphs)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel(), device=order.device) - ptr[batch[order]]
    return rank


def node_keys(g: Data) -> list[str]:
    """Return the names of ``g``'s node-level attributes (``x``, ``batch`` …), graph labels excluded."""
    num_graphs = count_graphs(g)
    keys = []
    for key in g.keys():
        if key in ("ptr", "edge_index") or not torch.is_tensor(g[key]):
            continue
        if key == "y" and g[key].dim() > 0 and g[key].shape[0] == num_graphs and isinstance(g, Batch):
            continue  # graph labels
        if key == "batch" or g.is_node_attr(key):
            keys.append(key)
    return keys


def edge_keys(g: Data) -> list[str]:
    """Return the names of ``g``'s edge-level attributes other than ``edge_index``."""
    return [k for k in g.keys() if k != "edge_index" and torch.is_tensor(g[k]) and g.is_edge_attr(k)]


def _copy(g: Data) -> Data:
    """Shallow copy whose attributes can be replaced without touching ``g``."""
    out = copy.copy(g)
    for key in ("_slice_dict", "_inc_dict"):  # they describe the original graphs; drop rather than mislead
        out._store.__dict__.pop(key, None)
    return out


def keep_nodes(g: Data, keep: torch.Tensor) -> Data:
    """Return ``g`` restricted to the nodes where ``keep`` is true (edges between kept nodes stay).

    Every node- and edge-level attribute is sliced, node ids are renumbered, and a Batch keeps its
    graph count (callers keep at least one node per graph).
    """
    num_graphs = count_graphs(g)
    nodes, edges = node_keys(g), edge_keys(g)
    row, col = g.edge_index
    edge_keep = keep[row] & keep[col]
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
