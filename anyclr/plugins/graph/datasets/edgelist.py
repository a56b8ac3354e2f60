"""Read a node-classification graph from an edge list plus optional node-feature and node-label files.

- edges: one edge ``source target`` per line (comma or whitespace separated); node names are any tokens.
- features (optional): ``node v1 v2 … vk`` per line, the same ``k`` on every line; without it the node
  degree (one-hot) is the feature.
- labels (optional): ``node label`` per line; labels are any tokens; nodes without a line get -1.

Every malformed line raises an :class:`~anyclr.core.errors.AnyclrError` naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.utils import coalesce, to_undirected

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError, unknown_name
from anyclr.core.splits import split_indices
from anyclr.plugins.graph.datasets.features import degree_one_hot
from anyclr.plugins.graph.datasets.samples import node_bundle
from anyclr.plugins.graph.datasets.table import check_width, read_lines, to_array

BUNDLED = "bundled:"
_SUFFIXES = (".txt", ".csv", ".tsv", ".edges", ".edgelist", "")


def _find(folder: Path, stem: str) -> Path | None:
    for suffix in _SUFFIXES:
        p = folder / f"{stem}{suffix}"
        if p.is_file():
            return p
    return None


def _existing(path: str, key: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise AnyclrError(f"data.{key} file {path} does not exist.")
    return p


def read_edgelist(
    edges: str | Path,
    features: str | Path | None = None,
    labels: str | Path | None = None,
    directed: bool = False,
    header: bool = False,
) -> tuple[Data, torch.Tensor, list[str]]:
    """Return ``(graph, node labels, class names)`` read from the given files."""
    edges = Path(edges)
    index: dict[str, int] = {}
    names: list[str] = []
    x = None
    skip = 1 if header else 0

    if features is not None:
        features = Path(features)
        rows = read_lines(features)[skip:]
        if not rows:
            raise AnyclrError(f"{features} is empty.")
        check_width(features, rows, hint="Each line is a node name, then its features; every node needs the same number.")
        if len(rows[0]) < 2:
            raise AnyclrError(f"{features}, line {1 + skip}: only a node name; each line is 'node, v1, v2, …'.")
        for i, row in enumerate(rows, 1 + skip):
            if row[0] in index:
                raise AnyclrError(f"{features}, line {i}: node {row[0]!r} already has features on line {index[row[0]] + 1 + skip}.")
            index[row[0]] = len(names)
            names.append(row[0])
        x = torch.from_numpy(to_array(features, [r[1:] for r in rows], float, first_line=1 + skip)).float()

    edge_rows = read_lines(edges)[skip:]
    check_width(edges, edge_rows, 2, hint="Each line is one edge: 'source target'.")
    pairs = np.empty((len(edge_rows), 2), dtype=np.int64)
    for i, (u, v) in enumerate(edge_rows):
        for j, node in enumerate((u, v)):
            k = index.get(node)
            if k is None:
                if features is not None:
                    raise AnyclrError(
                        f"{edges}, line {i + 1 + skip}: node {node!r} has no line in {features}.",
                        "Every node of the edge list needs a feature line (or leave data.features unset).",
                    )
                k = index[node] = len(names)
                names.append(node)
            pairs[i, j] = k
    n = len(names)
    if n == 0:
        raise AnyclrError(f"{edges} has no edges and there are no nodes.", "The edge list needs at least one edge.")
    if len(edge_rows) == 0:
        raise AnyclrError(f"{edges} has no edges.", "Node-level contrast needs a graph with edges.")
    edge_index = torch.from_numpy(pairs.T.copy())
    edge_index = coalesce(edge_index, num_nodes=n) if directed else to_undirected(edge_index, num_nodes=n)

    y = torch.full((n,), -1, dtype=torch.long)
    classes: list[str] = []
    if labels is not None:
        labels = Path(labels)
        rows = read_lines(labels)[skip:]
        check_width(labels, rows, 2, hint="Each line is 'node label'.")
        classes = sorted({r[1] for r in rows}, key=_natural)
        class_of = {c: i for i, c in enumerate(classes)}
        seen: dict[str, int] = {}
        for i, (node, label) in enumerate(rows, 1 + skip):
            if node not in index:
                raise AnyclrError(f"{labels}, line {i}: node {node!r} is not in the graph ({edges}).")
            if node in seen:
                raise AnyclrError(f"{labels}, line {i}: node {node!r} already has a label on line {seen[node]}.")
            seen[node] = i
            y[index[node]] = class_of[label]

    if x is None:
        x = torch.from_numpy(degree_one_hot(np.bincount(edge_index[0].numpy(), minlength=n))).float()
    return Data(x=x, edge_index=edge_index, num_nodes=n), y, classes


def _natural(token: str) -> tuple[int, float | str]:
    try:
        return (0, float(token))
    except ValueError:
        return (1, token)


def edgelist(
    path: str = "",
    edges: str = "",
    features: str = "",
    labels: str = "",
    directed: bool = False,
    header: bool = False,
    test_fraction: float = 0.0,
    seed: int = 0,
) -> DataBundle:
    """Node classification data: an edge list plus optional node-feature and node-label files.

    Args:
        path: a folder holding ``edges.txt`` (or .csv/.tsv) and optionally ``features.txt`` and ``labels.txt``;
            or ``bundled:karate-club`` (Zachary's karate club, shipped with networkx).
        edges, features, labels: the files themselves (override what ``path`` finds).
        directed: keep edges one-way (default: every edge is made undirected).
        header: each file starts with a header line to skip.
        test_fraction: hold out this stratified fraction of the labelled nodes as the test split.
        seed: seed of that split.
    """
    if path.startswith(BUNDLED):
        if path[len(BUNDLED):].lower() not in ("karate-club", "karate"):
            raise unknown_name("bundled node-level dataset", path[len(BUNDLED):], ["karate-club"])
        from anyclr.plugins.graph.datasets.networkx import karate_club

        return karate_club(test_fraction, seed)
    folder = Path(path).expanduser() if path else None
    if folder is not None and not folder.is_dir():
        raise AnyclrError(f"data.path {path} is not a folder.", "Point it at a folder with edges.txt, or set data.edges.")
    edge_file = _existing(edges, "edges") if edges else (_find(folder, "edges") if folder else None)
    if edge_file is None:
        raise AnyclrError(
            "No edge list: set data.edges to a file, or data.path to a folder with edges.txt.",
            "Each line of the edge list is 'source target'.",
        )
    feat_file = _existing(features, "features") if features else (_find(folder, "features") if folder else None)
    label_file = _existing(labels, "labels") if labels else (_find(folder, "labels") if folder else None)
    graph, y, classes = read_edgelist(edge_file, feat_file, label_file, directed, header)
    return node_level_bundle(graph, y, classes, test_fraction, seed, str(edge_file))


def node_level_bundle(
    graph: Data, y: torch.Tensor, classes: list[str], test_fraction: float, seed: int, source: str
) -> DataBundle:
    """Wrap one graph with per-node labels as a node-level DataBundle (optionally holding out test nodes)."""
    info = {
        "in_channels": int(graph.x.shape[1]),
        "edge_dim": 0,
        "num_classes": len(classes),
        "class_names": classes,
        "num_nodes": int(graph.num_nodes),
        "dataset": source,
    }
    test = None
    if test_fraction > 0:
        known = torch.nonzero(y >= 0).flatten()
        if len(known) == 0:
            raise AnyclrError("data.test_fraction needs node labels, but no node has one.")
        test = known[split_indices(y[known], test_fraction, seed)[1]]
    return node_bundle(graph, y, info, test)
