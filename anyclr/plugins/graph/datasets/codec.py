"""How graphs are stored in shards: each tensor attribute of a PyG ``Data`` as its own ``.npy`` file."""

from __future__ import annotations

import torch

from anyclr.core.codec import SampleCodec
from anyclr.plugins.graph.datasets.samples import bag_of_features, collate_graphs
from anyclr.shards.tensor_codec import npy_array, npy_bytes


def encode_graph(graph: object) -> dict[str, bytes]:
    """Encode a graph's tensors (``x``, ``edge_index``, ``edge_attr`` …) as ``<name>.npy`` members."""
    from torch_geometric.data import Data

    if not isinstance(graph, Data):
        raise TypeError(f"the graph codec stores PyG Data, got {type(graph).__name__} (node-level datasets cannot be sharded)")
    return {f"{key}.npy": npy_bytes(value.detach().cpu().numpy()) for key, value in graph.items() if isinstance(value, torch.Tensor)}


def decode_graph(record: dict[str, bytes]) -> object:
    """Rebuild the ``Data`` that :func:`encode_graph` wrote."""
    from torch_geometric.data import Data

    tensors = {k[: -len(".npy")]: torch.from_numpy(npy_array(v)) for k, v in record.items() if k.endswith(".npy")}
    if "edge_index" not in tensors:
        raise ValueError("no edge_index.npy member")
    return Data(**tensors)


def graph_codec() -> SampleCodec:
    """Graphs as one .npy file per tensor attribute."""
    return SampleCodec(encode=encode_graph, decode=decode_graph, collate=collate_graphs, raw_features=bag_of_features)
