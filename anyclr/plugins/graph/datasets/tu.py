"""Read a TU-format graph dataset (the TUDataset text files) from a local folder — nothing is downloaded.

Files (``NAME`` is the dataset's prefix; node ids and graph ids count from 1):

- ``NAME_A.txt``: one edge ``source, target`` per line (both directions for undirected graphs).
- ``NAME_graph_indicator.txt``: the graph id of node ``i`` on line ``i``.
- ``NAME_graph_labels.txt`` (optional): the class of graph ``i`` on line ``i``; several columns are one joint class.
- ``NAME_node_labels.txt`` / ``NAME_edge_labels.txt`` (optional): integer labels, one or more columns each
  (each column is one-hot encoded on its own).
- ``NAME_node_attributes.txt`` / ``NAME_edge_attributes.txt`` (optional): real-valued vectors.

Every malformed line raises an :class:`~anyclr.core.errors.AnyclrError` naming the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch_geometric.data import Data

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices
from anyclr.plugins.graph.datasets.bundled import PREFIX, find_bundled
from anyclr.plugins.graph.datasets.features import (
    FEATURE_CHOICES,
    degree_one_hot,
    one_hot_columns,
    random_walk_features,
    standardize,
)
from anyclr.plugins.graph.datasets.samples import graph_bundle
from anyclr.plugins.graph.datasets.table import check_width, read_lines, read_table, to_array


@dataclass
class TUGraphs:
    """A TU dataset read into memory."""

    name: str
    graphs: list[Data]
    labels: torch.Tensor  # [num_graphs], -1 where unknown
    classes: list[str] = field(default_factory=list)  # original label of each class index
    num_features: int = 0
    edge_dim: int = 0


def resolve_folder(path: str | Path, dataset: str = "") -> tuple[Path, str]:
    """Return ``(folder, NAME)`` for a TU folder, a ``NAME_A.txt`` file, or ``bundled:NAME``."""
    text = str(path)
    if text.startswith(PREFIX):
        folder = find_bundled(text[len(PREFIX):])
        return folder, folder.name
    p = Path(text).expanduser()
    if p.is_file() and p.name.endswith("_A.txt"):
        return p.parent, p.name[: -len("_A.txt")]
    if not p.is_dir():
        raise AnyclrError(
            f"Graph dataset folder {text} does not exist.",
            "Set data.path to a folder with NAME_A.txt and NAME_graph_indicator.txt, or to bundled:MUTAG.",
        )
    names = sorted(f.name[: -len("_A.txt")] for f in p.glob("*_A.txt"))
    if dataset:
        if dataset not in names:
            raise AnyclrError(
                f"{p} has no {dataset}_A.txt.",
                f"TU datasets found there: {', '.join(names)}." if names else "It holds no TU dataset.",
            )
        return p, dataset
    if not names:
        raise AnyclrError(
            f"{p} holds no TU dataset: there is no NAME_A.txt file.",
            "A TU folder holds NAME_A.txt, NAME_graph_indicator.txt and optionally NAME_graph_labels.txt.",
        )
    if len(names) > 1:
        raise AnyclrError(f"{p} holds several TU datasets: {', '.join(names)}.", "Pick one with data.dataset=NAME.")
    return p, names[0]


def _rows_per_line(path: Path, rows: int, expected: int, of: str) -> None:
    if rows != expected:
        raise AnyclrError(
            f"{path} has {rows} lines, but there are {expected} {of} (line {min(rows, expected) + 1} is where they part).",
            f"It needs exactly one line per {of[:-1] if of.endswith('s') else of}.",
        )


def read_tu(
    path: str | Path,
    dataset: str = "",
    features: str = "auto",
    degree: bool = False,
    skip_edgeless: bool = False,
    random_walk: int = 0,
) -> TUGraphs:
    """Read a TU dataset; see the module docstring for the files and :func:`tu` for the options."""
    folder, name = resolve_folder(path, dataset)
    if features not in FEATURE_CHOICES:
        raise AnyclrError(f"data.features must be one of {', '.join(FEATURE_CHOICES)}, got {features!r}.")

    def file(suffix: str) -> Path:
        return folder / f"{name}_{suffix}.txt"

    ind_path, a_path, lab_path = file("graph_indicator"), file("A"), file("graph_labels")
    if not ind_path.is_file():
        raise AnyclrError(f"{ind_path} is missing.", "A TU dataset needs NAME_graph_indicator.txt next to NAME_A.txt.")

    # Graph indicator: which graph each node belongs to.
    ids = read_table(ind_path, int, width=1, hint="Each line holds the graph id of one node.")[:, 0]
    n = len(ids)
    if n == 0:
        raise AnyclrError(f"{ind_path} is empty: the dataset has no nodes.")
    low = np.flatnonzero(ids < 1)
    if len(low):
        raise AnyclrError(f"{ind_path}, line {low[0] + 1}: graph id {ids[low[0]]} is below 1 (graph ids count from 1).")
    max_id = int(ids.max())

    # Graph labels: one line per graph.
    if lab_path.is_file():
        lab_rows = read_lines(lab_path)
        check_width(lab_path, lab_rows)
        if len(lab_rows) < max_id:
            line = int(np.flatnonzero(ids > len(lab_rows))[0]) + 1
            raise AnyclrError(
                f"{lab_path} has {len(lab_rows)} lines, but {ind_path} names {max_id} graphs "
                f"(line {line} puts a node in graph {ids[line - 1]}).",
                "The label file needs one line per graph.",
            )
        num_graphs = len(lab_rows)
    else:
        lab_rows = None
        num_graphs = max_id
    counts = np.bincount(ids - 1, minlength=num_graphs)
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        g = int(empty[0]) + 1
        where = f" ({lab_path}, line {g} gives its label)" if lab_rows is not None else ""
        extra = (
            f" {lab_path} has {num_graphs} lines but {ind_path} names only {max_id} graphs."
            if lab_rows is not None and num_graphs > max_id
            else ""
        )
        raise AnyclrError(
            f"Graph {g} has no nodes: no line of {ind_path} names it{where}.{extra}",
            "Every graph needs at least one node; remove the graph or fix the indicator file.",
        )

    # Edges: 1-based node ids, both ends in the same graph.
    if not a_path.is_file():
        raise AnyclrError(f"{a_path} is missing.", "A TU dataset needs NAME_A.txt (one edge per line).")
    edges = read_table(a_path, int, width=2, hint="Each line is one edge: 'source, target'.")
    if edges.size == 0:
        edges = np.zeros((0, 2), dtype=np.int64)
    bad = np.flatnonzero(((edges < 1) | (edges > n)).any(axis=1))
    if len(bad):
        i = int(bad[0])
        v = int(edges[i][((edges[i] < 1) | (edges[i] > n))][0])
        raise AnyclrError(
            f"{a_path}, line {i + 1}: node id {v} is out of range; {ind_path} lists {n} nodes (ids 1 to {n}).",
            "Node ids in NAME_A.txt count from 1 and must not exceed the number of lines of the indicator file.",
        )
    edges = edges - 1
    src_graph, dst_graph = ids[edges[:, 0]], ids[edges[:, 1]]
    cross = np.flatnonzero(src_graph != dst_graph)
    if len(cross):
        i = int(cross[0])
        raise AnyclrError(
            f"{a_path}, line {i + 1}: the edge {edges[i, 0] + 1}, {edges[i, 1] + 1} joins graph {src_graph[i]} "
            f"and graph {dst_graph[i]}.",
            "Edges must stay within one graph; check the indicator file and the edge list.",
        )
    edge_counts = np.bincount(src_graph - 1, minlength=num_graphs)
    edgeless = np.flatnonzero(edge_counts == 0)
    if len(edgeless) and not skip_edgeless:
        g = int(edgeless[0]) + 1
        first = int(np.flatnonzero(ids == g)[0]) + 1
        more = f" ({len(edgeless)} graphs have none)" if len(edgeless) > 1 else ""
        raise AnyclrError(
            f"Graph {g} has no edges in {a_path}{more}; its first node is on line {first} of {ind_path}.",
            "Remove it, or set data.skip_edgeless=true to leave graphs without edges out.",
        )

    # Node and edge labels/attributes: one line per node / per edge.
    def optional(suffix: str, dtype: type, rows_expected: int, of: str) -> np.ndarray | None:
        p = file(suffix)
        if not p.is_file():
            return None
        rows = read_lines(p)
        _rows_per_line(p, len(rows), rows_expected, of)
        check_width(p, rows)
        return to_array(p, rows, dtype)

    node_labels = optional("node_labels", int, n, "nodes")
    node_attrs = optional("node_attributes", float, n, "nodes")
    edge_labels = optional("edge_labels", int, len(edges), "edges")
    edge_attrs = optional("edge_attributes", float, len(edges), "edges")

    # Node features.
    parts: list[np.ndarray] = []
    want_labels = features in ("auto", "labels", "labels+attributes")
    want_attrs = features in ("auto", "attributes", "labels+attributes")
    for wanted, values, suffix in ((want_labels, node_labels, "node_labels"), (want_attrs, node_attrs, "node_attributes")):
        if wanted and values is None and features != "auto":
            raise AnyclrError(f"data.features={features!r} needs {file(suffix)}, which does not exist.")
    if want_labels and node_labels is not None:
        parts.append(one_hot_columns(node_labels))
    if want_attrs and node_attrs is not None:
        parts.append(standardize(node_attrs))
    deg = np.bincount(edges[:, 0], minlength=n) if len(edges) else np.zeros(n, dtype=np.int64)
    if degree or features == "degree" or (features == "auto" and not parts):
        parts.append(degree_one_hot(deg))
    if features == "constant" or not parts:
        parts.append(np.ones((n, 1)))
    x_all = torch.from_numpy(np.concatenate(parts, axis=1)).float()

    edge_parts = []
    if edge_labels is not None:
        edge_parts.append(one_hot_columns(edge_labels))
    if edge_attrs is not None:
        edge_parts.append(standardize(edge_attrs))
    edge_attr_all = torch.from_numpy(np.concatenate(edge_parts, axis=1)).float() if edge_parts else None

    # Graph labels -> class indices (several columns: one joint class per distinct row).
    classes: list[str] = []
    if lab_rows is not None:
        values = to_array(lab_path, lab_rows, float)
        uniq, inverse = np.unique(values, axis=0, return_inverse=True)
        labels = torch.from_numpy(inverse.reshape(-1)).long()
        classes = [", ".join(f"{v:g}" for v in row) for row in uniq]
    else:
        labels = torch.full((num_graphs,), -1, dtype=torch.long)

    # Split into per-graph Data objects (nodes grouped by graph; stable keeps the file's node order).
    node_order = np.argsort(ids, kind="stable")
    position = np.empty(n, dtype=np.int64)
    position[node_order] = np.arange(n)
    node_ptr = np.concatenate([[0], np.cumsum(counts)])
    edge_order = np.argsort(src_graph, kind="stable")
    edge_ptr = np.concatenate([[0], np.cumsum(edge_counts)])
    local = position[edges[edge_order]] - node_ptr[src_graph[edge_order] - 1][:, None]
    local_t = torch.from_numpy(np.ascontiguousarray(local.T)).long()
    x_sorted = x_all[torch.from_numpy(node_order)]
    ea_sorted = edge_attr_all[torch.from_numpy(edge_order)] if edge_attr_all is not None else None

    keep = np.ones(num_graphs, dtype=bool)
    if skip_edgeless:
        keep[edgeless] = False
    graphs = []
    for g in np.flatnonzero(keep):
        data = Data(x=x_sorted[node_ptr[g] : node_ptr[g + 1]], edge_index=local_t[:, edge_ptr[g] : edge_ptr[g + 1]])
        if ea_sorted is not None:
            data.edge_attr = ea_sorted[edge_ptr[g] : edge_ptr[g + 1]]
        if random_walk > 0:
            data.x = torch.cat([data.x, random_walk_features(data.edge_index, data.x.shape[0], random_walk)], dim=1)
        graphs.append(data)
    labels = labels[torch.from_numpy(keep)]
    if not graphs:
        raise AnyclrError(f"Every graph of {folder} was left out (none has an edge).")
    return TUGraphs(
        name=name,
        graphs=graphs,
        labels=labels,
        classes=classes,
        num_features=int(x_all.shape[1]) + max(random_walk, 0),
        edge_dim=int(edge_attr_all.shape[1]) if edge_attr_all is not None else 0,
    )


def tu(
    path: str = "bundled:MUTAG",
    dataset: str = "",
    features: str = "auto",
    degree: bool = False,
    skip_edgeless: bool = False,
    random_walk: int = 0,
    test_fraction: float = 0.0,
    seed: int = 0,
) -> DataBundle:
    """Graph classification data in TU format from a local folder, or ``bundled:MUTAG`` (shipped with grakel).

    Args:
        path: the folder holding ``NAME_A.txt`` etc. (or that file itself), or ``bundled:NAME``.
        dataset: ``NAME`` when the folder holds several TU datasets.
        features: node features: ``auto`` (one-hot node labels + standardised attributes, node degree
            when there are neither), ``labels``, ``attributes``, ``labels+attributes``, ``degree``, ``constant``.
        degree: also append the one-hot node degree.
        skip_edgeless: leave out graphs without edges instead of stopping with an error.
        random_walk: also append each node's random-walk return probabilities after 1..k steps
            (they reveal rings, which message passing cannot count); 0 = off.
        test_fraction: hold out this stratified fraction as the test split (0: none — the SVM
            protocol cross-validates over all graphs, the other protocols split the training set).
        seed: seed of that split.
    """
    data = read_tu(path, dataset, features, degree, skip_edgeless, random_walk)
    info = {
        "in_channels": data.num_features,
        "edge_dim": data.edge_dim,
        "num_classes": len(data.classes),
        "class_names": data.classes,
        "dataset": data.name,
    }
    test = split_indices(data.labels, test_fraction, seed)[1] if test_fraction > 0 else None
    if test is not None and bool((data.labels < 0).any()):
        raise AnyclrError("data.test_fraction needs graph labels, but this dataset has no NAME_graph_labels.txt.")
    return graph_bundle(data.graphs, data.labels, info, test.tolist() if test is not None else None)
