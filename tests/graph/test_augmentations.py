"""Graph augmentation components: sample, then apply; per-graph parameters; random choice; recipes built by name."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch

from anyclr.core.build import build_steps, build_views
from anyclr.core.config import load, resolve
from anyclr.core.errors import AnyclrError
from anyclr.core.registry import Registry
from anyclr.core.views import Compose
from anyclr.plugins.graph.batch import NodeBatch
from anyclr.plugins.graph.datasets.bundled import bundled_datasets
from anyclr.plugins.graph.views.graph_views import GraphViews
from anyclr.plugins.graph.views.one_of import OneOf

from .rings import assert_valid, batch_of, edge_counts, graphs, node_counts, ring

# One table per registered graph augmentation, set so that every random draw shows in the view.
TABLES = {
    "graph-node-drop": {"ratio": 0.3},
    "graph-subgraph": {"ratio": 0.4},
    "graph-edge-perturb": {"drop": 0.3, "add": 0.3},
    "graph-attr-mask": {"ratio": 0.5, "fill": "noise"},
    "graph-feature-noise": {"std": 0.5},
    "graph-diffusion": {"method": "ppr", "p": 0.5},
    "graph-identity": {},
    "graph-one-of": {"augmentations": [{"name": "graph-node-drop"}, {"name": "graph-edge-perturb", "add": 0.5}, {"name": "graph-attr-mask"}]},
}
KEEP_NODES = ("graph-edge-perturb", "graph-attr-mask", "graph-feature-noise", "graph-diffusion", "graph-identity")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


def build(registry, name, level="graph", **params):
    """Build one augmentation table through the registry, as a recipe does."""
    table = {"name": name, **TABLES.get(name, {}), **params}
    return build_steps(registry, [table], {"level": level}, "views.augmentations")[0].augmentation


def same(u, w) -> bool:
    """True when two views (Batch or NodeBatch) hold equal tensors under the same keys."""
    u, w = (u.graph, w.graph) if isinstance(u, NodeBatch) else (u, w)
    keys = ("x", "edge_index", "edge_attr", "edge_weight", "batch", "ptr")
    return all((k in u) == (k in w) and (k not in u or torch.equal(u[k], w[k])) for k in keys)


def test_every_registered_graph_augmentation_is_tested_here(registry):
    names = {c.name for c in registry.components() if c.kind == "augmentation" and c.modality == "graph"}
    assert names == set(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_same_params_give_the_same_view_and_a_generator_makes_sampling_reproducible(registry, name):
    aug, b = build(registry, name), batch_of()
    state = torch.get_rng_state()
    params = aug.sample(b, torch.Generator().manual_seed(7))
    assert torch.equal(torch.get_rng_state(), state)  # every draw came from the generator
    first, second = aug.apply(b, params), aug.apply(b, params)
    assert same(first, second)
    assert_valid(first, 6)
    assert same(aug.apply(b, aug.sample(b, torch.Generator().manual_seed(7))), first)
    if name != "graph-identity":
        assert not same(first, b)
        others = [aug.apply(b, aug.sample(b, torch.Generator().manual_seed(s))) for s in range(3)]
        assert any(not same(first, o) for o in others)  # another seed, another view


@pytest.mark.parametrize("name", ["graph-node-drop", "graph-subgraph", "graph-edge-perturb", "graph-attr-mask", "graph-feature-noise"])
def test_every_graph_draws_its_own_params_and_p_leaves_some_graphs_alone(registry, name):
    b = Batch.from_data_list([ring(24)] * 32)  # identical graphs: only the draws tell them apart
    aug = build(registry, name, p=0.5)
    params = aug.sample(b, torch.Generator().manual_seed(0))
    active = params.active
    assert 4 < int(active.sum()) < 28
    v = aug.apply(b, params)
    changed = [not same(g, ring(24)) for g in graphs(v)]
    assert changed == active.tolist()  # exactly the graphs that drew "augment" changed
    views = {tuple(g.x.flatten().tolist()) + tuple(g.edge_index.flatten().tolist()) for g, on in zip(graphs(v), changed, strict=True) if on}
    assert len(views) > int(active.sum()) // 2  # and each drew its own nodes / edges / mask / noise


def test_one_of_gives_each_graph_the_member_it_drew_and_cuts_once(registry):
    """Members that cut (node drop) and members that change (masking, added edges) mix correctly in one pass."""
    b = Batch.from_data_list([ring(12, seed=i) for i in range(24)])
    tables = [
        {"name": "graph-identity"},
        {"name": "graph-node-drop", "ratio": 0.5},
        {"name": "graph-attr-mask", "ratio": 1.0},
        {"name": "graph-edge-perturb", "drop": 0.0, "add": 1.0},
    ]
    aug = build(registry, "graph-one-of", augmentations=tables)
    params = aug.sample(b, torch.Generator().manual_seed(1))
    assert set(params.choice.tolist()) == {0, 1, 2, 3}
    v = aug.apply(b, params)
    assert_valid(v, 24)
    nodes, edges = node_counts(v, 24), edge_counts(v, 24)
    for gi, (c, g, orig) in enumerate(zip(params.choice.tolist(), graphs(v), graphs(b), strict=True)):
        if c == 0:
            assert same(g, orig), gi
        elif c == 1:
            assert nodes[gi] == 6 and all(any(torch.equal(r, o) for o in orig.x) for r in g.x)
        elif c == 2:
            assert nodes[gi] == 12 and bool((g.x == 0).all()) and edges[gi] == 24
        else:
            assert nodes[gi] == 12 and torch.equal(g.x, orig.x) and edges[gi] > 24


def test_one_of_weights_and_nesting(registry):
    b = batch_of()
    only_second = build(registry, "graph-one-of", augmentations=[{"name": "graph-identity"}, {"name": "graph-node-drop"}], weights=[0, 1])
    assert only_second.sample(b).choice.tolist() == [1] * 6
    nested = build(
        registry, "graph-one-of",
        augmentations=[{"name": "graph-one-of", "augmentations": [{"name": "graph-node-drop"}, {"name": "graph-subgraph"}]}, {"name": "graph-attr-mask"}],
    )
    assert isinstance(nested.members[0], OneOf) and nested.removes_nodes
    assert_valid(nested(b), 6)
    with pytest.raises(AnyclrError, match=r"augmentations\[0\]\.augmentations\[1\]"):
        build(registry, "graph-one-of", augmentations=[{"name": "graph-one-of", "augmentations": [{"name": "graph-node-drop"}, {"nam": "x"}]}])
    with pytest.raises(AnyclrError, match="Unknown augmentation 'graph-node-dorp'") as err:
        build(registry, "graph-one-of", augmentations=[{"name": "graph-node-dorp"}])
    assert "graph-node-drop" in err.value.hint
    with pytest.raises(AnyclrError, match="weights"):
        build(registry, "graph-one-of", augmentations=[{"name": "graph-identity"}], weights=[1, 2])


@pytest.mark.parametrize("name", KEEP_NODES + ("graph-one-of",))
def test_node_level_batches_keep_their_nodes(registry, name):
    nodes = NodeBatch(ring(16), torch.tensor([1, 4, 9]))
    params = {"augmentations": [{"name": "graph-edge-perturb"}, {"name": "graph-feature-noise"}]} if name == "graph-one-of" else {}
    aug = build(registry, name, level="node", **params)
    p = aug.sample(nodes, torch.Generator().manual_seed(0))
    v = aug.apply(nodes, p)
    assert isinstance(v, NodeBatch) and torch.equal(v.index, nodes.index) and v.graph.num_nodes == 16
    assert same(v, aug.apply(nodes, p))


@pytest.mark.parametrize("name", ["graph-node-drop", "graph-subgraph"])
def test_node_level_data_refuses_node_removal_even_inside_a_random_choice(registry, name):
    with pytest.raises(AnyclrError, match="samples are nodes") as err:
        build(registry, name, level="node")
    assert "graph-edge-perturb" in err.value.hint
    with pytest.raises(AnyclrError, match="samples are nodes"):
        build(registry, "graph-one-of", level="node", augmentations=[{"name": "graph-identity"}, {"name": name}])


def test_compose_recipe_builds_graph_augmentations_by_name(registry):
    _, cfg = load("graph-graphcl", registry)
    cfg["views"] = {
        "name": "compose",
        "augmentations": [{"name": "graph-one-of", "augmentations": [{"name": "graph-node-drop"}, {"name": "graph-subgraph"}]}, {"name": "graph-attr-mask"}],
    }
    views = build_views(registry, resolve(cfg), {"level": "graph"})
    assert isinstance(views, Compose) and not isinstance(views, GraphViews)
    torch.manual_seed(0)
    a, b = views(batch_of())
    assert_valid(a, 6) and assert_valid(b, 6)
    assert a.num_nodes < batch_of().num_nodes and not same(a, b)


def test_graph_augment_recipe_with_old_strings_names_the_new_tables(registry):
    _, cfg = load("graph-graphcl", registry)
    cfg["views"] = {"name": "graph-augment", "augmentations": ["node_drop", "subgraph"]}
    with pytest.raises(AnyclrError, match=r"views.augmentations\[0\] is the string 'node_drop'") as err:
        build_views(registry, resolve(cfg), {"level": "graph"})
    assert 'name = "graph-node-drop"' in err.value.hint


COMPOSE_RECIPE = """
modality = "graph"

[data]
name = "tu"
path = "bundled:MUTAG"

[views]
name = "compose"
augmentations = [
    {name = "graph-one-of", augmentations = [{name = "graph-node-drop", ratio = 0.2}, {name = "graph-edge-perturb", drop = 0.2}]},
    {name = "graph-feature-noise", std = 0.05, p = 0.5},
]

[encoder]
name = "gin"
hidden = 8
layers = 2
head_hidden_dim = 16
head_out_dim = 16

[objective]
name = "graphcl"

[trainer]
epochs = 1
batch_size = 64
knn_every = 0

[eval]
protocols = []
baselines = []
plots = false
"""


@pytest.mark.skipif("MUTAG" not in bundled_datasets(), reason="grakel is not installed")
def test_a_compose_recipe_trains_an_epoch_on_bundled_mutag(tmp_path):
    from anyclr.api import train

    recipe = tmp_path / "graph-compose.toml"
    recipe.write_text(COMPOSE_RECIPE)
    summary = train(str(recipe), run_dir=tmp_path / "run", progress=False, print_table=False)
    assert summary["steps"] == 2 and 0 < summary["final_loss"] < float("inf")  # 188 graphs, full batches of 64
