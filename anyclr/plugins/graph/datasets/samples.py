"""Graph datasets as the core sees them: samples, collation, and the DataBundle built from them.

Graph level: a sample is one graph (a PyG ``Data``); a batch is a PyG ``Batch``.
Node level: a sample is one node of a single graph; a batch is a :class:`NodeBatch` holding the whole
graph plus the batch's node indices, so the core's per-sample machinery (splits, labels, batching)
works unchanged while message passing still sees every neighbour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.data import Dataset
from torch_geometric.data import Batch, Data
from torch_geometric.nn import global_add_pool

from anyclr.core.data import DataBundle
from anyclr.plugins.graph.batch import NodeBatch


class GraphSamples(Dataset):
    """Graphs with one integer label each (-1 = unknown)."""

    def __init__(self, graphs: Sequence[Data], labels: torch.Tensor | None = None) -> None:
        self.graphs = list(graphs)
        self.y = labels if labels is not None else torch.full((len(self.graphs),), -1, dtype=torch.long)
        if len(self.y) != len(self.graphs):
            raise ValueError(f"{len(self.graphs)} graphs but {len(self.y)} labels")
        self._labels = self.y.tolist()  # plain ints: indexing a tensor per sample is slow

    def __len__(self) -> int:
        return len(self.graphs)

    def __getitem__(self, idx: int) -> tuple[Data, int]:
        return self.graphs[idx], self._labels[idx]

    def sample_metadata(self) -> dict[str, torch.Tensor]:
        """Return the graphs' labels."""
        return {"label": self.y}


_PLAIN = ({"x", "edge_index"}, {"x", "edge_index", "edge_attr"})


def collate_graphs(items: list[tuple[Data, int]]) -> tuple[Batch, torch.Tensor]:
    """Batch graphs into one PyG ``Batch``; labels become a long tensor."""
    graphs, labels = zip(*items, strict=True)
    return _concat(graphs) or Batch.from_data_list(list(graphs)), torch.tensor(labels, dtype=torch.long)


def _concat(graphs: Sequence[Data]) -> Batch | None:
    """Batch graphs holding only x, edge_index (and edge_attr) by plain concatenation, several times faster
    than ``Batch.from_data_list``; return None for anything else (which then takes the general path)."""
    try:
        stores = [g._store._mapping for g in graphs]
    except AttributeError:  # a torch-geometric without this internal: take the general path
        return None
    keys = set(stores[0])
    if keys not in _PLAIN or any(set(s) != keys for s in stores):
        return None
    xs = [s["x"] for s in stores]
    edges = [s["edge_index"] for s in stores]
    sizes = torch.tensor([x.shape[0] for x in xs])
    edge_sizes = torch.tensor([e.shape[1] for e in edges])
    ptr = torch.cat([sizes.new_zeros(1), sizes.cumsum(0)])
    edge_ptr = torch.cat([sizes.new_zeros(1), edge_sizes.cumsum(0)])
    n = len(graphs)
    out = Batch(
        x=torch.cat(xs),
        edge_index=torch.cat(edges, dim=1) + torch.repeat_interleave(ptr[:-1], edge_sizes),
        batch=torch.repeat_interleave(torch.arange(n), sizes),
        ptr=ptr,
    )
    slices, incs = {"x": ptr, "edge_index": edge_ptr}, {"x": torch.zeros(n, dtype=torch.long), "edge_index": ptr[:-1]}
    if "edge_attr" in keys:
        out.edge_attr = torch.cat([s["edge_attr"] for s in stores])
        slices["edge_attr"], incs["edge_attr"] = edge_ptr, torch.zeros(n, dtype=torch.long)
    out._num_graphs, out._slice_dict, out._inc_dict = n, slices, incs  # so Batch.to_data_list() still works
    return out


def bag_of_features(batch: Batch) -> torch.Tensor:
    """Raw-input baseline for graphs: the sum of each graph's node features, plus its node and edge counts."""
    g = batch.batch
    n = batch.num_graphs
    x = global_add_pool(batch.x.float(), g, size=n)
    nodes = torch.bincount(g, minlength=n).to(x.dtype)
    edges = torch.bincount(g[batch.edge_index[0]], minlength=n).to(x.dtype)
    return torch.cat([x, nodes[:, None], edges[:, None]], dim=1)


class NodeSamples(Dataset):
    """The nodes of one graph as samples; ``self[i]`` is ``(i, label of node i)``."""

    def __init__(self, graph: Data, labels: torch.Tensor, nodes: torch.Tensor | None = None) -> None:
        self.graph = graph
        self.nodes = nodes if nodes is not None else torch.arange(graph.num_nodes)
        self.labels = labels
        if len(labels) != graph.num_nodes:
            raise ValueError(f"{graph.num_nodes} nodes but {len(labels)} labels")

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, idx: int) -> tuple[int, int]:
        node = int(self.nodes[idx])
        return node, int(self.labels[node])

    def sample_metadata(self) -> dict[str, torch.Tensor]:
        """Return the labels of this split's nodes."""
        return {"label": self.labels[self.nodes]}


class NodeCollate:
    """Turn a list of ``(node, label)`` samples into ``(NodeBatch(graph, nodes), labels)``."""

    def __init__(self, graph: Data) -> None:
        self.graph = graph

    def __call__(self, items: list[tuple[int, int]]) -> tuple[NodeBatch, torch.Tensor]:
        nodes, labels = zip(*items, strict=True)
        return NodeBatch(self.graph, torch.tensor(nodes, dtype=torch.long)), torch.tensor(labels, dtype=torch.long)


def node_features(batch: NodeBatch) -> torch.Tensor:
    """Raw-input baseline for nodes: each batch node's own features."""
    return batch.graph.x[batch.index].float()


def graph_bundle(
    graphs: Sequence[Data], labels: torch.Tensor, info: dict[str, Any], test: Sequence[int] | None = None
) -> DataBundle:
    """Build the DataBundle of a graph-level dataset (``test``: indices held out as the test split)."""
    info = {"modality": "graph", "level": "graph", "codec": "graph", **info}
    if test is None or len(test) == 0:
        return DataBundle(GraphSamples(graphs, labels), None, collate_graphs, info, bag_of_features)
    held = set(int(i) for i in test)
    train_idx = [i for i in range(len(graphs)) if i not in held]
    test_idx = sorted(held)
    train = GraphSamples([graphs[i] for i in train_idx], labels[train_idx])
    test_set = GraphSamples([graphs[i] for i in test_idx], labels[test_idx])
    return DataBundle(train, test_set, collate_graphs, info, bag_of_features)


def node_bundle(graph: Data, labels: torch.Tensor, info: dict[str, Any], test: torch.Tensor | None = None) -> DataBundle:
    """Build the DataBundle of a node-level dataset (``test``: node indices held out as the test split)."""
    info = {"modality": "graph", "level": "node", **info}
    collate = NodeCollate(graph)
    if test is None or len(test) == 0:
        return DataBundle(NodeSamples(graph, labels), None, collate, info, node_features)
    mask = torch.zeros(graph.num_nodes, dtype=torch.bool)
    mask[test] = True
    train = NodeSamples(graph, labels, torch.nonzero(~mask).flatten())
    test_set = NodeSamples(graph, labels, torch.nonzero(mask).flatten())
    return DataBundle(train, test_set, collate, info, node_features)
