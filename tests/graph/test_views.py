"""Graph views: valid batches, per-graph randomness, reproducibility, diffusion equal to torch-geometric's GDC, the tuned composite."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import is_undirected, to_dense_adj

from anyclr.core.build import build_steps
from anyclr.core.errors import AnyclrError
from anyclr.core.registry import Registry
from anyclr.plugins.graph.batch import NodeBatch
from anyclr.plugins.graph.views.attr_mask import AttributeMask
from anyclr.plugins.graph.views.diffusion import Diffusion, gdc_reference
from anyclr.plugins.graph.views.edge_perturb import EdgePerturb
from anyclr.plugins.graph.views.feature_noise import FeatureNoise
from anyclr.plugins.graph.views.graph_views import GraphViews
from anyclr.plugins.graph.views.node_drop import NodeDrop
from anyclr.plugins.graph.views.rw_subgraph import RandomWalkSubgraph

from .rings import assert_valid, batch_of, node_counts, ring


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


def steps(registry, *tables, level="graph"):
    """Build augmentation tables as the core does for views.augmentations."""
    return build_steps(registry, [dict(t) if isinstance(t, dict) else [dict(u) for u in t] for t in tables], {"level": level}, "views.augmentations")


def on(aug, b, active):
    """Apply ``aug`` to the graphs of ``b`` where ``active`` is true."""
    return aug.apply(b, aug.sample(b, active=torch.tensor(active)))


def test_node_drop_removes_floor_ratio_per_graph_and_keeps_batches_valid():
    b = batch_of()
    torch.manual_seed(0)
    v = NodeDrop(0.2)(b)
    assert_valid(v, 6)
    expected = torch.tensor([5, 10, 20, 8, 12, 30]) - torch.floor(torch.tensor([5, 10, 20, 8, 12, 30]) * 0.2).long()
    assert torch.equal(node_counts(v, 6), expected)
    # Kept features are the original rows of the kept nodes.
    drop = NodeDrop(0.2)
    params = drop.sample(b, torch.Generator().manual_seed(1))
    assert torch.equal(drop.apply(b, params).x, b.x[params.keep])


def test_node_drop_never_empties_a_graph_and_respects_inactive_graphs():
    b = Batch.from_data_list([ring(2), ring(3), ring(4)])
    v = on(NodeDrop(0.9), b, [True, True, False])
    assert node_counts(v, 3).tolist() == [1, 1, 4]


def test_node_drop_is_random_per_graph():
    """Two identical graphs in one batch get different nodes dropped (per-graph randomness, not per batch)."""
    b = Batch.from_data_list([ring(30, seed=0)] * 8)
    keep = NodeDrop(0.3).sample(b, torch.Generator().manual_seed(0)).keep.view(8, 30)
    assert len({tuple(m.tolist()) for m in keep}) == 8


def test_edge_perturb_drops_pairs_together_and_adds_edges_inside_graphs():
    b = batch_of()
    torch.manual_seed(0)
    v = EdgePerturb(drop=0.3, add=0.0)(b)
    assert_valid(v, 6)
    assert is_undirected(v.edge_index)
    assert v.edge_index.shape[1] < b.edge_index.shape[1]
    torch.manual_seed(0)
    w = EdgePerturb(drop=0.0, add=0.5)(b)
    assert_valid(w, 6)
    assert is_undirected(w.edge_index) and w.edge_index.shape[1] > b.edge_index.shape[1]
    assert torch.all(w.edge_attr[b.edge_index.shape[1]:] == 0)  # added edges carry no bond type
    # Inactive graphs keep all their edges.
    u = on(EdgePerturb(drop=1.0), b, [False, True, True, True, True, True])
    assert torch.equal(u.edge_index, b.edge_index[:, b.batch[b.edge_index[0]] == 0])


def test_edge_perturb_is_random_per_graph():
    b = Batch.from_data_list([ring(40)] * 6)
    drop = EdgePerturb(drop=0.5).sample(b, torch.Generator().manual_seed(0)).drop
    assert len({tuple(m.tolist()) for m in drop.view(6, -1)}) == 6


def test_attribute_mask_node_and_feature_modes():
    b = batch_of()
    torch.manual_seed(0)
    v = AttributeMask(0.5, mode="node")(b)
    zero_rows = (v.x == 0).all(1)
    assert 0 < int(zero_rows.sum()) < b.num_nodes
    assert torch.equal(v.x[~zero_rows], b.x[~zero_rows]) and torch.equal(v.edge_index, b.edge_index)
    torch.manual_seed(0)
    w = AttributeMask(0.5, mode="feature")(b)
    for gi in range(6):  # within a graph whole columns are masked; graphs draw their own columns
        cols = (w.x[b.batch == gi] == 0).all(0)
        assert torch.equal(w.x[b.batch == gi][:, ~cols], b.x[b.batch == gi][:, ~cols])
    noisy = AttributeMask(1.0, fill="noise")(b)
    assert not torch.equal(noisy.x, b.x)
    assert torch.equal(b.x, batch_of().x)  # the input batch is never modified


def test_feature_noise_only_on_active_graphs():
    b = batch_of()
    v = on(FeatureNoise(0.5), b, [True, False, True, False, True, False])
    changed = (v.x != b.x).any(1)
    assert torch.equal(changed, torch.tensor([True, False, True, False, True, False])[b.batch])


def test_random_walk_subgraph_keeps_a_connected_region_of_the_target_size():
    b = batch_of()
    torch.manual_seed(0)
    v = RandomWalkSubgraph(0.5)(b)
    assert_valid(v, 6)
    sizes = torch.tensor([5, 10, 20, 8, 12, 30])
    assert torch.all(node_counts(v, 6) <= sizes - torch.floor(sizes * 0.5).long())
    assert torch.all(node_counts(v, 6) >= 1)
    # On a ring, a connected region of k < n nodes is a path: exactly k - 1 undirected edges.
    for gi in range(6):
        k = int((v.batch == gi).sum())
        e = int((v.batch[v.edge_index[0]] == gi).sum()) // 2
        if k < int(sizes[gi]):
            assert e == k - 1


def test_random_walk_subgraph_is_random_per_graph():
    b = Batch.from_data_list([ring(30)] * 6)
    keep = RandomWalkSubgraph(0.5).sample(b, torch.Generator().manual_seed(0)).keep.view(6, 30)
    assert len({tuple(m.tolist()) for m in keep}) >= 4  # a ring has only 30 arcs of 15 nodes: some may repeat


def test_random_walk_subgraph_keeps_exactly_the_target_on_connected_graphs():
    b = batch_of()
    torch.manual_seed(1)
    v = RandomWalkSubgraph(0.2)(b)
    assert_valid(v, 6)
    sizes = torch.tensor([5, 10, 20, 8, 12, 30])
    assert torch.equal(node_counts(v, 6), sizes - torch.floor(sizes * 0.2).long())


def test_random_walk_subgraph_stays_in_the_seed_component_and_respects_inactive_graphs():
    two = Batch.from_data_list([ring(4), ring(4)])
    split = Data(x=two.x, edge_index=two.edge_index)  # one graph of two 4-rings
    b = Batch.from_data_list([split, ring(6)])
    keep = RandomWalkSubgraph(0.2).sample(b, torch.Generator().manual_seed(0), active=torch.tensor([True, False])).keep
    first = keep[:8]
    assert int(first.sum()) == 4 and (bool(first[:4].all()) or bool(first[4:].all()))  # target 7, component of 4
    assert bool(keep[8:].all())


@pytest.mark.parametrize("method", ["ppr", "heat"])
def test_diffusion_matches_torch_geometric_gdc_on_every_graph(method):
    graphs = [ring(n, seed=i) for i, n in enumerate((4, 7, 5))]
    graphs[1].edge_index = torch.cat([graphs[1].edge_index, torch.tensor([[0, 3], [3, 0]])], dim=1)  # a chord
    graphs[1].edge_attr = torch.cat([graphs[1].edge_attr, torch.zeros(2, 2)])
    b = Batch.from_data_list(graphs)
    v = Diffusion(method, alpha=0.15, t=3.0, eps=1e-4)(b)
    assert_valid(v, 3)
    assert "edge_attr" not in v and v.edge_weight.shape[0] == v.edge_index.shape[1]
    for gi, g in enumerate(graphs):
        ref = gdc_reference(g, method, alpha=0.15, t=3.0, eps=1e-4)
        mine = v.batch[v.edge_index[0]] == gi
        n = g.num_nodes
        dense = to_dense_adj(v.edge_index[:, mine] - b.ptr[gi], edge_attr=v.edge_weight[mine], max_num_nodes=n)[0]
        theirs = to_dense_adj(ref.edge_index, edge_attr=ref.edge_attr, max_num_nodes=n)[0]
        assert torch.allclose(dense, theirs, atol=1e-5)


def test_diffusion_topk_keeps_k_per_column_and_leaves_inactive_graphs():
    b = batch_of((6, 9))
    v = on(Diffusion("ppr", topk=3), b, [True, False])
    first = v.batch[v.edge_index[0]] == 0
    assert torch.all(torch.bincount(v.edge_index[1, first], minlength=6) == 3)
    assert int((~first).sum()) == int((b.batch[b.edge_index[0]] == 1).sum())


def test_views_are_reproducible_under_the_global_seed(registry):
    b = batch_of()
    gen = GraphViews(
        augmentations=steps(registry, {"name": "graph-node-drop"}, {"name": "graph-subgraph"}, {"name": "graph-edge-perturb", "add": 0.2}, {"name": "graph-attr-mask"})
    )
    torch.manual_seed(3)
    first = gen(b)
    torch.manual_seed(3)
    second = gen(b)
    for u, w in zip(first, second, strict=True):
        assert torch.equal(u.x, w.x) and torch.equal(u.edge_index, w.edge_index)
    torch.manual_seed(4)
    third = gen(b)
    assert any(not torch.equal(u.edge_index, w.edge_index) or u.x.shape != w.x.shape for u, w in zip(first, third, strict=True))


def test_generator_picks_one_augmentation_per_graph(registry):
    b = Batch.from_data_list([ring(20)] * 40)
    gen = GraphViews(n_views=1, augmentations=steps(registry, {"name": "graph-identity"}, {"name": "graph-node-drop", "ratio": 0.5}))
    torch.manual_seed(0)
    (v,) = gen(b)
    assert set(node_counts(v, 40).tolist()) == {10, 20}  # some graphs untouched, some halved, none both


def test_generator_per_view_lists(registry):
    b = batch_of()
    gen = GraphViews(augmentations=steps(registry, [{"name": "graph-identity"}], [{"name": "graph-node-drop", "ratio": 0.5}]))
    assert not gen.shared
    first, second = gen(b)
    assert torch.equal(first.x, b.x) and second.num_nodes < b.num_nodes
    with pytest.raises(AnyclrError, match="3 per-view lists but views.n_views is 2"):
        GraphViews(augmentations=steps(registry, [{"name": "graph-identity"}], [{"name": "graph-identity"}], [{"name": "graph-identity"}]))


def test_generator_all_applies_every_augmentation_in_turn(registry):
    b = batch_of()
    torch.manual_seed(0)
    tables = ({"name": "graph-edge-perturb", "drop": 0.5}, {"name": "graph-attr-mask", "ratio": 0.5})
    (v,) = GraphViews(n_views=1, augmentations=steps(registry, *tables), pick="all")(b)
    assert v.edge_index.shape[1] < b.edge_index.shape[1] and bool((v.x == 0).all(1).any())


def test_generator_refuses_the_old_string_spelling_with_the_new_name():
    with pytest.raises(AnyclrError, match="'node_drop'") as err:
        GraphViews(augmentations=["node_drop", "edge_perturb"])
    assert 'name = "graph-node-drop"' in err.value.hint
    with pytest.raises(AnyclrError, match="views.pick"):
        GraphViews(pick="any")


def test_node_level_views_keep_the_node_set_and_refuse_node_dropping(registry):
    graph = ring(12)
    nodes = NodeBatch(graph, torch.tensor([0, 3, 5]))
    tables = ({"name": "graph-edge-perturb"}, {"name": "graph-attr-mask", "mode": "feature"})
    gen = GraphViews(augmentations=steps(registry, *tables, level="node"), pick="all", level="node")
    views = gen(nodes)
    assert all(isinstance(v, NodeBatch) and torch.equal(v.index, nodes.index) for v in views)
    assert all(v.graph.num_nodes == 12 for v in views)
    assert any(v.graph.edge_index.shape[1] < graph.edge_index.shape[1] for v in views)
    with pytest.raises(AnyclrError, match="samples are nodes"):
        steps(registry, {"name": "graph-node-drop"}, level="node")
    with pytest.raises(AnyclrError, match="samples are nodes"):
        GraphViews(level="node")  # the default list drops nodes
    with pytest.raises(AnyclrError, match="samples are nodes"):
        NodeDrop(0.2)(nodes)  # built for graphs, handed nodes


def test_repeat_split_and_concat_batches_round_trip(registry):
    from anyclr.plugins.graph.batch import concat_batches, repeat_batch, split_batch

    b = batch_of()
    twice = repeat_batch(b, 3)
    assert_valid(twice, 18)
    parts = split_batch(twice, 3)
    for p in parts:
        assert_valid(p, 6)
        for key in ("x", "edge_index", "edge_attr", "batch", "ptr"):
            assert torch.equal(p[key], b[key])
    again = concat_batches(parts)
    for key in ("x", "edge_index", "edge_attr", "batch", "ptr"):
        assert torch.equal(again[key], twice[key])
    torch.manual_seed(0)
    tables = ({"name": "graph-node-drop"}, {"name": "graph-subgraph"}, {"name": "graph-edge-perturb", "add": 0.3})
    gen = GraphViews(augmentations=steps(registry, *tables))
    assert gen.shared
    for v in gen(b):  # drawn together
        assert_valid(v, 6)


def test_concat_of_unchanged_split_parts_returns_the_whole_batch_and_changed_parts_are_concatenated():
    from anyclr.plugins.graph.batch import concat_batches, keep_nodes, repeat_batch, split_batch

    whole = repeat_batch(batch_of(), 2)
    parts = split_batch(whole, 2)
    assert concat_batches(parts) is whole
    assert concat_batches(parts[::-1]) is not whole
    changed = [parts[0], keep_nodes(parts[1], torch.ones(parts[1].num_nodes, dtype=torch.bool))]
    again = concat_batches(changed)
    assert again is not whole
    for key in ("x", "edge_index", "batch", "ptr"):
        assert torch.equal(again[key], whole[key])
    parts[0].x = parts[0].x + 1  # replaced in place of the split's tensor
    assert not torch.equal(concat_batches(parts).x, whole.x)
