"""The TU reader: bundled MUTAG, multi-column labels, attributes, feature options, odd but valid layouts."""

from __future__ import annotations

import pytest
import torch

from anyclr.core.errors import AnyclrError
from anyclr.plugins.graph.datasets.bundled import bundled_datasets
from anyclr.plugins.graph.datasets.tu import read_tu, tu

from .tu_files import write_tu

needs_grakel = pytest.mark.skipif("MUTAG" not in bundled_datasets(), reason="grakel (with its MUTAG copy) is not installed")


@needs_grakel
def test_bundled_mutag_is_found_inside_grakel_and_read():
    bundle = tu("bundled:MUTAG")
    assert len(bundle.train) == 188 and bundle.test is None
    assert bundle.info["in_channels"] == 7 and bundle.info["edge_dim"] == 4 and bundle.info["num_classes"] == 2
    assert bundle.info["class_names"] == ["-1", "1"]
    assert torch.bincount(bundle.labels()).tolist() == [63, 125]
    graph, label = bundle.train[0]
    assert graph.x.shape == (17, 7) and graph.edge_index.shape == (2, 38) and label == 1
    assert torch.all(graph.x.sum(1) == 1)  # one-hot atom types
    batch, labels = bundle.collate([bundle.train[i] for i in range(4)])
    assert batch.num_graphs == 4 and labels.shape == (4,)
    assert bundle.raw_features(batch).shape == (4, 7 + 2)


@needs_grakel
def test_bundled_name_is_case_insensitive_and_unknown_names_suggest():
    assert len(tu("bundled:mutag").train) == 188
    with pytest.raises(AnyclrError, match="MUTAG"):
        tu("bundled:MUTAGG")


@needs_grakel
def test_bundled_cuneiform_has_two_label_columns_attributes_and_many_small_classes():
    data = read_tu("bundled:Cuneiform")
    # Node labels: two columns (4 and 3 values) one-hot each, then 3 standardised attributes.
    assert data.num_features == 4 + 3 + 3 and data.edge_dim > 0
    assert len(data.classes) == 30
    assert int(torch.bincount(data.labels).min()) < 10  # fewer members than SVM folds
    x = torch.cat([g.x for g in data.graphs])
    assert torch.all(x[:, :4].sum(1) == 1) and torch.all(x[:, 4:7].sum(1) == 1)
    assert torch.allclose(x[:, 7:].mean(0), torch.zeros(3), atol=1e-4)


def test_multi_column_node_labels_and_attributes(tmp_path):
    node_labels = ["0, 5", "1, 5", "0, 7", "2, 5", "2, 7", "0, 5", "1, 7", "1, 5"]
    attrs = [f"{i}.5, {-i}" for i in range(8)]
    write_tu(tmp_path, node_labels=node_labels, node_attributes=attrs, edge_labels=["0", "1"] * 6)
    data = read_tu(tmp_path)
    assert data.name == "TOY" and len(data.graphs) == 3
    assert data.num_features == 3 + 2 + 2 and data.edge_dim == 2
    first = data.graphs[0].x
    assert first[0, :5].tolist() == [1, 0, 0, 1, 0]  # label 0 of column one, label 5 of column two
    assert first[2, :5].tolist() == [1, 0, 0, 0, 1]
    assert data.graphs[2].edge_attr.shape == (2, 2)
    assert data.labels.tolist() == [1, 0, 1] and data.classes == ["-1", "1"]


def test_multi_column_graph_labels_form_joint_classes(tmp_path):
    write_tu(tmp_path, graph_labels=["1, 0", "0, 1", "1, 0"])
    data = read_tu(tmp_path)
    assert data.labels.tolist() == [1, 0, 1] and data.classes == ["0, 1", "1, 0"]


def test_local_graph_structure_and_feature_options(tmp_path):
    write_tu(tmp_path)
    data = read_tu(tmp_path)  # no labels or attributes: one-hot degree
    sizes = [g.num_nodes for g in data.graphs]
    assert sizes == [3, 3, 2]
    assert data.graphs[1].edge_index.tolist() == [[0, 1, 1, 2], [1, 0, 2, 1]]
    assert data.graphs[1].x.argmax(1).tolist() == [1, 2, 1]
    assert read_tu(tmp_path, features="constant").num_features == 1
    with pytest.raises(AnyclrError, match="node_labels"):
        read_tu(tmp_path, features="labels")
    with pytest.raises(AnyclrError, match="data.features"):
        read_tu(tmp_path, features="nonsense")
    write_tu(tmp_path, node_labels=[str(i % 2) for i in range(8)])
    assert read_tu(tmp_path, degree=True).num_features == 2 + 3


def test_unsorted_indicator_groups_nodes_by_graph(tmp_path):
    # Node 7 and 8 (graph 3) listed between the others; edges follow the node ids.
    write_tu(tmp_path, graph_indicator=["1", "3", "1", "2", "2", "2", "3", "1"], A=["1, 3", "3, 1", "3, 8", "8, 3", "4, 5", "5, 6", "2, 7", "7, 2"])
    data = read_tu(tmp_path)
    assert [g.num_nodes for g in data.graphs] == [3, 3, 2]
    assert data.graphs[2].edge_index.tolist() == [[0, 1], [1, 0]]


def test_missing_graph_labels_means_unknown_labels(tmp_path):
    write_tu(tmp_path, graph_labels=None)
    bundle = tu(str(tmp_path))
    assert bundle.labels().tolist() == [-1, -1, -1] and not bundle.has_labels()


def test_test_fraction_holds_out_a_stratified_split(tmp_path):
    write_tu(tmp_path, graph_labels=["1", "-1", "1"])
    bundle = tu(str(tmp_path), test_fraction=0.4)
    assert len(bundle.train) + len(bundle.test) == 3 and len(bundle.test) >= 1


def test_folder_with_several_datasets_needs_a_name(tmp_path):
    write_tu(tmp_path, "AAA")
    write_tu(tmp_path, "BBB")
    with pytest.raises(AnyclrError, match="several TU datasets: AAA, BBB"):
        read_tu(tmp_path)
    assert read_tu(tmp_path, dataset="BBB").name == "BBB"
    assert read_tu(tmp_path / "AAA_A.txt").name == "AAA"


def test_skip_edgeless_drops_graphs_without_edges(tmp_path):
    write_tu(tmp_path, graph_indicator=[str(g) for g in [1, 1, 1, 2, 2, 2, 3, 3, 4]], graph_labels=["1", "-1", "1", "-1"])
    data = read_tu(tmp_path, skip_edgeless=True)
    assert len(data.graphs) == 3 and data.labels.tolist() == [1, 0, 1]


def test_random_walk_return_probabilities_reveal_rings(tmp_path):
    write_tu(tmp_path, node_labels=["0"] * 8)
    data = read_tu(tmp_path, random_walk=3)
    assert data.num_features == 1 + 3
    triangle, path = data.graphs[0].x[:, 1:], data.graphs[1].x[:, 1:]
    assert torch.allclose(triangle[0], torch.tensor([0.0, 0.5, 0.25]))  # back after 2 steps: 1/2; after 3: 2/8
    assert torch.allclose(path[1], torch.tensor([0.0, 1.0, 0.0]))  # the middle of a path has no odd cycle
