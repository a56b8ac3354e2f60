"""networkx graphs as anyclr datasets: one graph for node-level contrast, a list of graphs for graph-level.

From Python, build a bundle with :func:`networkx_nodes` / :func:`networkx_graphs` and register it as a
dataset of an in-process plug-in (a Component whose factory returns the bundle). From a recipe, the
``networkx`` dataset reads one graph from a GraphML / GML / GEXF / edge-list file, and ``karate-club``
is Zachary's karate club, bundled with networkx.

Node features come from the node attribute ``features`` (a number or a list of numbers per node; the
same width on every node of every graph) or, when no node has it, the one-hot node degree. Node labels
come from the node attribute ``label``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Data

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices
from anyclr.plugins.graph.datasets.edgelist import node_level_bundle
from anyclr.plugins.graph.datasets.features import degree_one_hot
from anyclr.plugins.graph.datasets.samples import graph_bundle

_READERS = {
    ".graphml": "read_graphml",
    ".gml": "read_gml",
    ".gexf": "read_gexf",
    ".edgelist": "read_edgelist",
    ".adjlist": "read_adjlist",
}


def _feature_rows(g: Any, key: str, where: str) -> list[list[float]] | None:
    values = [g.nodes[v].get(key) for v in g.nodes]
    if all(v is None for v in values):
        return None
    rows = []
    width = None
    for node, value in zip(g.nodes, values, strict=True):
        if value is None:
            raise AnyclrError(f"{where}: node {node!r} has no {key!r} attribute, but other nodes do.")
        if isinstance(value, str):  # GraphML stores lists as text: "0.1, 0.2"
            value = [float(v) for v in value.replace(",", " ").split()]
        row = [float(v) for v in np.atleast_1d(np.asarray(value, dtype=np.float64))]
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise AnyclrError(f"{where}: node {node!r} has {len(row)} features but the first node has {width}.")
        rows.append(row)
    return rows


def graph_to_data(g: Any, features: str = "features", where: str = "graph") -> tuple[Data, bool]:
    """Convert one networkx graph to ``Data`` (edges both ways unless directed); return (data, had features)."""
    nodes = list(g.nodes)
    if not nodes:
        raise AnyclrError(f"{where} has no nodes.", "Every graph needs at least one node.")
    index = {v: i for i, v in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in g.edges()]
    if not pairs:
        raise AnyclrError(f"{where} has no edges.", "Every graph needs at least one edge.")
    edge_index = torch.tensor(pairs, dtype=torch.long).T
    if not g.is_directed():
        edge_index = torch.cat([edge_index, edge_index.flip(0)], dim=1)
    rows = _feature_rows(g, features, where)
    x = torch.tensor(rows, dtype=torch.float32) if rows is not None else None
    return Data(x=x, edge_index=edge_index, num_nodes=len(nodes)), rows is not None


def _with_degree(data: Data, max_degree: int | None = None) -> np.ndarray:
    deg = np.bincount(data.edge_index[0].numpy(), minlength=data.num_nodes)
    return deg if max_degree is None else np.minimum(deg, max_degree)


def networkx_nodes(
    graph: Any, features: str = "features", label: str = "label", test_fraction: float = 0.0, seed: int = 0
) -> DataBundle:
    """Node-level DataBundle from one networkx graph (node attributes ``features`` and ``label``)."""
    data, has_x = graph_to_data(graph, features)
    if not has_x:
        data.x = torch.from_numpy(degree_one_hot(_with_degree(data))).float()
    raw = [graph.nodes[v].get(label) for v in graph.nodes]
    classes = sorted({str(v) for v in raw if v is not None})
    class_of = {c: i for i, c in enumerate(classes)}
    y = torch.tensor([class_of[str(v)] if v is not None else -1 for v in raw], dtype=torch.long)
    return node_level_bundle(data, y, classes, test_fraction, seed, "networkx graph")


def networkx_graphs(
    graphs: Sequence[Any],
    labels: Sequence[Any] | None = None,
    features: str = "features",
    test_fraction: float = 0.0,
    seed: int = 0,
) -> DataBundle:
    """Graph-level DataBundle from a list of networkx graphs and one label per graph."""
    if len(graphs) == 0:
        raise AnyclrError("The list of graphs is empty.")
    if labels is not None and len(labels) != len(graphs):
        raise AnyclrError(f"There are {len(graphs)} graphs but {len(labels)} labels.", "Give one label per graph.")
    datas, had = [], []
    for i, g in enumerate(graphs):
        d, has_x = graph_to_data(g, features, where=f"graph {i}")
        datas.append(d)
        had.append(has_x)
    if any(had) and not all(had):
        first = had.index(not had[0])
        raise AnyclrError(f"graph {first} has no {features!r} node attribute, but graph 0 {'has' if had[0] else 'does not'}.")
    if all(had):
        width = datas[0].x.shape[1]
        for i, d in enumerate(datas):
            if d.x.shape[1] != width:
                raise AnyclrError(
                    f"graph {i} has {d.x.shape[1]} node features but graph 0 has {width}.",
                    "Every node of every graph needs the same number of features.",
                )
    else:
        degrees = [_with_degree(d) for d in datas]
        top = min(int(max(int(d.max()) for d in degrees)), 64)
        for d, deg in zip(datas, degrees, strict=True):
            onehot = np.zeros((len(deg), top + 1), dtype=np.float32)
            onehot[np.arange(len(deg)), np.minimum(deg, top)] = 1.0
            d.x = torch.from_numpy(onehot)
    if labels is None:
        y = torch.full((len(datas),), -1, dtype=torch.long)
        classes: list[str] = []
    else:
        classes = sorted({str(v) for v in labels})
        class_of = {c: i for i, c in enumerate(classes)}
        y = torch.tensor([class_of[str(v)] for v in labels], dtype=torch.long)
    info = {"in_channels": int(datas[0].x.shape[1]), "edge_dim": 0, "num_classes": len(classes), "class_names": classes}
    test = split_indices(y, test_fraction, seed)[1].tolist() if test_fraction > 0 else None
    return graph_bundle(datas, y, info, test)


def networkx(
    path: str, features: str = "features", label: str = "label", test_fraction: float = 0.0, seed: int = 0
) -> DataBundle:
    """Node classification data from one graph file networkx reads (.graphml, .gml, .gexf, .edgelist, .adjlist)."""
    import networkx as nx

    p = Path(path).expanduser()
    if not p.is_file():
        raise AnyclrError(f"Graph file {path} does not exist.")
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        raise AnyclrError(f"Cannot read {p.name}: unknown graph file type {p.suffix!r}.", f"Known: {', '.join(_READERS)}.")
    try:
        graph = getattr(nx, reader)(p)
    except Exception as exc:  # networkx raises many parser-specific types; all mean a malformed file
        raise AnyclrError(f"{p} could not be read as {p.suffix[1:]}: {exc}") from None
    return networkx_nodes(graph, features, label, test_fraction, seed)


def karate_club(test_fraction: float = 0.0, seed: int = 0) -> DataBundle:
    """Zachary's karate club (34 members, 2 clubs), bundled with networkx: a tiny node-level smoke test."""
    import networkx as nx

    g = nx.karate_club_graph()
    for v in g.nodes:
        g.nodes[v]["label"] = g.nodes[v]["club"]
    return networkx_nodes(g, features="features", label="label", test_fraction=test_fraction, seed=seed)
