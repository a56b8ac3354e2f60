"""Bad graph input stops with a clear AnyclrError naming the file and the line (or the graph)."""

from __future__ import annotations

import re

import networkx as nx
import pytest

from anyclr.core.errors import AnyclrError
from anyclr.plugins.graph.datasets.edgelist import edgelist
from anyclr.plugins.graph.datasets.networkx import networkx_graphs, networkx_nodes
from anyclr.plugins.graph.datasets.tu import read_tu

from .tu_files import INDICATOR, write_tu


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(AnyclrError) as info:
        fn(*args, **kwargs)
    return str(info.value)


# -- TU format -------------------------------------------------------------------------------------------------------


def test_graph_without_nodes_names_the_label_file_line(tmp_path):
    # Graph 2 never appears in the indicator; the label file still has a line for it.
    write_tu(tmp_path, graph_indicator=["1", "1", "1", "3", "3", "3", "4", "4"], graph_labels=["1", "-1", "1", "1"])
    msg = error_of(read_tu, tmp_path)
    assert "Graph 2 has no nodes" in msg
    assert "TOY_graph_indicator.txt" in msg and "TOY_graph_labels.txt, line 2" in msg


def test_trailing_label_without_nodes_is_an_empty_graph(tmp_path):
    write_tu(tmp_path, graph_labels=["1", "-1", "1", "1"])
    msg = error_of(read_tu, tmp_path)
    assert "Graph 4 has no nodes" in msg and "TOY_graph_labels.txt, line 4" in msg


def test_graph_without_edges_names_the_indicator_line(tmp_path):
    write_tu(tmp_path, graph_indicator=[str(g) for g in INDICATOR + [4]], graph_labels=["1", "-1", "1", "-1"])
    msg = error_of(read_tu, tmp_path)
    assert "Graph 4 has no edges" in msg and "TOY_A.txt" in msg
    assert "line 9 of" in msg and "TOY_graph_indicator.txt" in msg
    assert "skip_edgeless" in msg


def test_node_attribute_width_differing_between_graphs_names_file_and_line(tmp_path):
    attrs = ["0.1, 0.2"] * 6 + ["0.1, 0.2, 0.3", "0.1, 0.2, 0.3"]  # graph 3's nodes have three values
    write_tu(tmp_path, node_attributes=attrs)
    msg = error_of(read_tu, tmp_path)
    assert re.search(r"TOY_node_attributes\.txt, line 7: 3 values, but line 1 has 2", msg)


def test_node_label_columns_differing_names_file_and_line(tmp_path):
    write_tu(tmp_path, node_labels=["0, 1"] * 4 + ["0"] * 4)
    assert "TOY_node_labels.txt, line 5: 1 values, but line 1 has 2" in error_of(read_tu, tmp_path)


def test_label_file_shorter_than_the_graph_count(tmp_path):
    write_tu(tmp_path, graph_labels=["1", "-1"])
    msg = error_of(read_tu, tmp_path)
    assert "TOY_graph_labels.txt has 2 lines" in msg and "names 3 graphs" in msg
    assert "line 7 puts a node in graph 3" in msg


def test_node_file_length_mismatch_names_file(tmp_path):
    write_tu(tmp_path, node_labels=["0"] * 7)
    msg = error_of(read_tu, tmp_path)
    assert "TOY_node_labels.txt has 7 lines" in msg and "8 nodes" in msg


def test_edge_index_out_of_range_names_file_and_line(tmp_path):
    write_tu(tmp_path, A=["1, 2", "2, 1", "2, 9", "4, 5", "5, 4", "7, 8"])
    msg = error_of(read_tu, tmp_path)
    assert "TOY_A.txt, line 3: node id 9 is out of range" in msg and "8 nodes" in msg


def test_zero_based_edge_index_is_out_of_range(tmp_path):
    write_tu(tmp_path, A=["0, 1", "1, 0"])
    assert "TOY_A.txt, line 1: node id 0 is out of range" in error_of(read_tu, tmp_path)


def test_edge_joining_two_graphs_names_file_and_line(tmp_path):
    write_tu(tmp_path, A=["1, 2", "2, 1", "3, 4", "4, 5", "7, 8"])
    msg = error_of(read_tu, tmp_path)
    assert "TOY_A.txt, line 3" in msg and "joins graph 1 and graph 2" in msg


def test_edge_line_with_one_value_and_non_numbers(tmp_path):
    write_tu(tmp_path, A=["1, 2", "3"])
    assert "TOY_A.txt, line 2: 1 values, where 2 are expected" in error_of(read_tu, tmp_path)
    write_tu(tmp_path, A=["1, 2", "2, x"])
    assert "TOY_A.txt, line 2: 'x' is not an integer" in error_of(read_tu, tmp_path)
    write_tu(tmp_path, A=["1, 2", "2, 1.5"])
    assert "TOY_A.txt, line 2: '1.5' is not an integer" in error_of(read_tu, tmp_path)


def test_blank_line_inside_a_file_and_nan_attributes(tmp_path):
    write_tu(tmp_path, graph_indicator=["1", "1", "", "1", "2", "2", "2", "3", "3"])
    assert "TOY_graph_indicator.txt, line 3: empty line" in error_of(read_tu, tmp_path)
    write_tu(tmp_path, graph_indicator=[str(g) for g in INDICATOR], node_attributes=["1.0"] * 4 + ["nan"] + ["1.0"] * 3)
    assert "TOY_node_attributes.txt, line 5: 'nan' is not a finite number" in error_of(read_tu, tmp_path)


def test_missing_folder_or_files(tmp_path):
    assert "does not exist" in error_of(read_tu, tmp_path / "nowhere")
    assert "no NAME_A.txt" in error_of(read_tu, tmp_path)
    write_tu(tmp_path, graph_indicator=None)
    assert "TOY_graph_indicator.txt is missing" in error_of(read_tu, tmp_path)


# -- edge lists -------------------------------------------------------------------------------------------------------


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_edgelist_feature_width_differs_names_file_and_line(tmp_path):
    write(tmp_path / "edges.txt", ["a b", "b c"])
    write(tmp_path / "features.txt", ["a 1 2", "b 3 4", "c 5"])
    assert "features.txt, line 3: 2 values, but line 1 has 3" in error_of(edgelist, str(tmp_path))


def test_edgelist_node_without_features_names_file_and_line(tmp_path):
    write(tmp_path / "edges.txt", ["a b", "b d"])
    write(tmp_path / "features.txt", ["a 1", "b 3", "c 5"])
    msg = error_of(edgelist, str(tmp_path))
    assert "edges.txt, line 2: node 'd' has no line in" in msg and "features.txt" in msg


def test_edgelist_label_for_unknown_node_and_duplicate_label(tmp_path):
    write(tmp_path / "edges.txt", ["a b", "b c"])
    write(tmp_path / "labels.txt", ["a x", "z y"])
    assert "labels.txt, line 2: node 'z' is not in the graph" in error_of(edgelist, str(tmp_path))
    write(tmp_path / "labels.txt", ["a x", "a y"])
    assert "labels.txt, line 2: node 'a' already has a label on line 1" in error_of(edgelist, str(tmp_path))


def test_edgelist_without_edges_and_bad_edge_lines(tmp_path):
    write(tmp_path / "edges.txt", [])
    assert "has no edges" in error_of(edgelist, str(tmp_path))
    write(tmp_path / "edges.txt", ["a b", "a b c"])
    assert "edges.txt, line 2: 3 values, where 2 are expected" in error_of(edgelist, str(tmp_path))
    assert "No edge list" in error_of(edgelist, "", "")


def test_edgelist_non_numeric_feature_names_line(tmp_path):
    write(tmp_path / "edges.txt", ["a b"])
    write(tmp_path / "features.txt", ["a 1", "b oops"])
    assert "features.txt, line 2: 'oops' is not a finite number" in error_of(edgelist, str(tmp_path))


# -- networkx ---------------------------------------------------------------------------------------------------------


def test_networkx_graph_without_nodes_or_edges():
    assert "graph 1 has no nodes" in error_of(networkx_graphs, [nx.path_graph(3), nx.Graph()])
    lonely = nx.Graph()
    lonely.add_node(0)
    assert "graph 1 has no edges" in error_of(networkx_graphs, [nx.path_graph(3), lonely])
    assert "graph has no edges" in error_of(networkx_nodes, lonely)


def test_networkx_feature_widths_differ_between_graphs():
    a, b = nx.path_graph(3), nx.path_graph(3)
    nx.set_node_attributes(a, {v: [1.0, 2.0] for v in a}, "features")
    nx.set_node_attributes(b, {v: [1.0, 2.0, 3.0] for v in b}, "features")
    assert "graph 1 has 3 node features but graph 0 has 2" in error_of(networkx_graphs, [a, b], [0, 1])
    nx.set_node_attributes(b, {0: [1.0], 1: [1.0, 2.0], 2: [1.0]}, "features")
    assert "graph 1: node 1 has 2 features but the first node has 1" in error_of(networkx_graphs, [a, b], [0, 1])


def test_networkx_label_count_mismatch():
    assert "2 graphs but 3 labels" in error_of(networkx_graphs, [nx.path_graph(3), nx.path_graph(4)], [0, 1, 1])
