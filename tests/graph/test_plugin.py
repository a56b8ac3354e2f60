"""The graph plug-in through the core: registry, recipes built by the core's builders, a few real training steps."""

from __future__ import annotations

import pytest
import torch

from anyclr.core.build import build_dataset, build_encoder, build_objective, build_views
from anyclr.core.config import apply_overrides, load, resolve
from anyclr.core.data import iter_batches, to_device
from anyclr.core.registry import Registry
from anyclr.plugins.graph.datasets.bundled import bundled_datasets

from .tu_files import write_classes_tu, write_tu


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


def test_components_and_recipes_are_registered(registry):
    names = {(c.kind, c.name) for c in registry.components(modality="graph") if c.modality == "graph"}
    for kind, name in [
        ("view", "graph-augment"), ("backbone", "gin"), ("backbone", "gcn"), ("backbone", "gat"), ("backbone", "graphsage"),
        ("objective", "graphcl"), ("objective", "grace"), ("objective", "infograph"), ("objective", "simgrace"),
        ("dataset", "tu"), ("dataset", "edgelist"), ("dataset", "networkx"),
        ("recipe", "graph-graphcl"), ("recipe", "graph-grace"),
    ]:
        assert (kind, name) in names


def build(registry, recipe, overrides=()):
    _, cfg = load(recipe, registry)
    cfg = resolve(apply_overrides(cfg, list(overrides)))
    data = build_dataset(registry, cfg)
    views = build_views(registry, cfg, data.info)
    encoder = build_encoder(registry, cfg, data.info)
    objective = build_objective(registry, cfg, data.info, encoder)
    return cfg, data, views, encoder, objective


def train_steps(cfg, data, views, encoder, objective, steps=2):
    opt = torch.optim.Adam(list(encoder.parameters()) + list(objective.parameters()), lr=1e-3)
    losses = []
    for _ in range(steps):
        for inputs, labels in iter_batches(data.train, int(cfg["trainer"]["batch_size"]), shuffle=True, collate=data.collate):
            loss = objective.training_step(views(to_device(inputs, "cpu")), encoder, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    assert all(torch.isfinite(torch.tensor(losses)))
    return losses


@pytest.mark.skipif("MUTAG" not in bundled_datasets(), reason="grakel is not installed")
def test_graphcl_recipe_builds_on_bundled_mutag_and_trains(registry):
    parts = build(registry, "graph-graphcl", ["trainer.batch_size=64"])
    cfg, data, views, encoder, objective = parts
    assert data.info["dataset"] == "MUTAG" and encoder.out_dim == 64
    train_steps(*parts, steps=1)
    encoder.eval()
    inputs, _ = next(iter_batches(data.train, 10, collate=data.collate))
    assert encoder.represent(inputs).shape == (10, 64)


def test_graphcl_recipe_on_a_user_folder_and_infograph_objective(registry, tmp_path):
    write_tu(tmp_path, node_labels=[str(i % 3) for i in range(8)])
    train_steps(*build(registry, "graph-graphcl", [f"data.path={tmp_path}", "trainer.batch_size=3"]), steps=1)
    train_steps(*build(registry, "graph-graphcl", [f"data.path={tmp_path}", "objective.name=infograph", "trainer.batch_size=3"]), steps=1)


def test_any_catalogue_objective_works_on_graph_embeddings(registry, tmp_path):
    write_tu(tmp_path)
    train_steps(*build(registry, "graph-graphcl", [f"data.path={tmp_path}", "objective.name=ntxent", "trainer.batch_size=3"]), steps=1)


def test_grace_recipe_builds_on_karate_club_and_embeds_nodes(registry):
    parts = build(registry, "graph-grace", ["trainer.epochs=1"])
    cfg, data, views, encoder, objective = parts
    assert data.info["level"] == "node" and views.level == "node"
    train_steps(*parts, steps=2)
    encoder.eval()
    inputs, labels = next(iter_batches(data.train, 16, collate=data.collate))
    assert encoder.represent(inputs).shape == (16, 128) and labels.shape == (16,)


def test_train_end_to_end_on_a_folder_with_a_tiny_class_lowers_the_fold_count(tmp_path):
    """`anyclr train graph-graphcl --set data.path=DIR` on a TU folder whose smallest class has 4 graphs."""
    from anyclr.api import train

    write_classes_tu(tmp_path / "data", [20, 16, 4])
    overrides = [
        f"data.path={tmp_path / 'data'}",
        "trainer.epochs=1",
        "trainer.batch_size=16",
        "eval.protocols=['svm_cv']",
        "eval.baselines=[]",
        "eval.plots=false",
    ]
    with pytest.warns(UserWarning, match="fewer than 10 folds; using 4 folds"):
        summary = train("graph-graphcl", overrides, run_dir=tmp_path / "run", progress=False)
    assert (tmp_path / "run" / "summary.json").is_file()
    # The reported figures are GraphCL's protocol with 4 folds on this run's own graph features.
    import numpy as np

    from anyclr.api import embed
    from anyclr.core.evaluation import TEST_FRACTION
    from anyclr.core.splits import split_indices
    from anyclr.evaluators.svm import svm_cv

    data = build_dataset(Registry(), summary["config"])
    assert data.test is None  # evaluation holds out a stratified part of the graphs, as split_indices does
    x, y = np.load(embed(tmp_path / "run", tmp_path / "z.npy")), data.labels("train").numpy()
    rest, held = (i.numpy() for i in split_indices(y, TEST_FRACTION, summary["seed"]))
    expected = svm_cv(folds=4)(x[rest], y[rest], x[held], y[held])
    assert summary["metrics"] == pytest.approx(expected)
    assert summary["metrics"]["svm_top1"] > 0.5  # above the majority class (20 of 40): ring lengths differ by class
