"""Node-level data: edge-list files, networkx graphs, the node batches the core passes around."""

from __future__ import annotations

import networkx as nx
import torch
from torch_geometric.utils import is_undirected

from anyclr.core.data import iter_batches
from anyclr.plugins.graph.batch import NodeBatch
from anyclr.plugins.graph.datasets.edgelist import edgelist
from anyclr.plugins.graph.datasets.networkx import networkx, networkx_graphs, networkx_nodes


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_edgelist_folder_with_features_and_labels(tmp_path):
    write(tmp_path / "edges.txt", ["p1 p2", "p2 p3", "p3 p4", "p4 p1", "p5 p1"])
    write(tmp_path / "features.txt", ["p1 1 0", "p2 0 1", "p3 1 1", "p4 0 0", "p5 2 2", "p6 3 3"])
    write(tmp_path / "labels.txt", ["p1 cat", "p2 dog", "p4 cat", "p6 dog"])
    bundle = edgelist(str(tmp_path))
    assert bundle.info["level"] == "node" and bundle.info["in_channels"] == 2 and bundle.info["class_names"] == ["cat", "dog"]
    assert len(bundle.train) == 6  # p6 has features but no edges: an isolated node
    assert bundle.labels().tolist() == [0, 1, -1, 0, -1, 1]
    graph = bundle.train.graph
    assert graph.x[4].tolist() == [2.0, 2.0] and is_undirected(graph.edge_index) and graph.edge_index.shape[1] == 10
    inputs, labels = next(iter_batches(bundle.train, 4, collate=bundle.collate))
    assert isinstance(inputs, NodeBatch) and len(inputs) == 4 and inputs.index.tolist() == [0, 1, 2, 3]
    assert labels.tolist() == [0, 1, -1, 0]
    assert torch.equal(bundle.raw_features(inputs), graph.x[:4])


def test_edgelist_explicit_files_csv_header_directed_and_degree_features(tmp_path):
    write(tmp_path / "e.csv", ["src,dst", "1,2", "2,3", "3,1"])
    write(tmp_path / "l.csv", ["node,label", "1,0", "2,1", "3,1"])
    bundle = edgelist(edges=str(tmp_path / "e.csv"), labels=str(tmp_path / "l.csv"), header=True, directed=True)
    graph = bundle.train.graph
    assert graph.edge_index.shape[1] == 3 and graph.x.shape == (3, 2)  # out-degree one-hot (all 1)
    assert bundle.labels().tolist() == [0, 1, 1]


def test_edgelist_test_fraction_splits_labelled_nodes(tmp_path):
    write(tmp_path / "edges.txt", [f"{i} {i + 1}" for i in range(19)])
    write(tmp_path / "labels.txt", [f"{i} {i % 2}" for i in range(20)])
    bundle = edgelist(str(tmp_path), test_fraction=0.2)
    assert len(bundle.train) + len(bundle.test) == 20 and len(bundle.test) == 4
    assert set(bundle.train.nodes.tolist()).isdisjoint(bundle.test.nodes.tolist())


def test_bundled_karate_club():
    bundle = edgelist("bundled:karate-club")
    assert len(bundle.train) == 34 and bundle.info["class_names"] == ["Mr. Hi", "Officer"]
    assert bundle.train.graph.edge_index.shape[1] == 2 * 78


def test_networkx_node_graph_with_features_and_labels():
    g = nx.cycle_graph(5)
    for v in g.nodes:
        g.nodes[v]["features"] = [float(v), 1.0]
        g.nodes[v]["label"] = "a" if v < 3 else "b"
    bundle = networkx_nodes(g)
    assert bundle.train.graph.x.shape == (5, 2) and bundle.labels().tolist() == [0, 0, 0, 1, 1]


def test_networkx_graph_list_for_graph_level():
    graphs = [nx.path_graph(n) for n in (3, 4, 5)]
    bundle = networkx_graphs(graphs, ["x", "y", "x"])
    assert bundle.info["level"] == "graph" and len(bundle.train) == 3 and bundle.labels().tolist() == [0, 1, 0]
    batch, labels = bundle.collate([bundle.train[i] for i in range(3)])
    assert batch.num_graphs == 3 and batch.x.shape[1] == bundle.info["in_channels"] == 3  # degrees 0..2


def test_networkx_file_reader(tmp_path):
    g = nx.karate_club_graph()
    for v in g.nodes:
        g.nodes[v]["label"] = g.nodes[v].pop("club")
    path = tmp_path / "club.graphml"
    nx.write_graphml(g, path)
    bundle = networkx(str(path))
    assert len(bundle.train) == 34 and bundle.info["num_classes"] == 2
