"""The time-series plug-in as users meet it: registered names, data.name=GunPoint, the TS2Vec recipe end to end."""

import importlib.metadata as md
import json

import pytest

from anyclr.core.build import build_dataset
from anyclr.core.errors import AnyclrError
from anyclr.core.registry import Registry

pytest.importorskip("aeon")


@pytest.fixture(scope="module")
def registry():
    """The plug-ins these tests use (loading every installed plug-in would only add import time)."""
    import anyclr.evaluators.plugin
    import anyclr.heads.plugin
    import anyclr.objectives.plugin
    import anyclr.plugins.timeseries.plugin as timeseries

    modules = {"timeseries": timeseries, "evaluators": anyclr.evaluators.plugin, "heads": anyclr.heads.plugin}
    modules["objectives"] = anyclr.objectives.plugin
    return Registry(extra_plugins=list(modules.items()), entry_points=False)


def test_entry_point_names_the_plugin():
    points = {ep.name: ep.value for ep in md.entry_points(group="anyclr")}
    assert points.get("timeseries") == "anyclr.plugins.timeseries.plugin"


def test_components_are_registered(registry):
    names = {c.name for c in registry.components(modality="timeseries") if c.modality == "timeseries"}
    assert {"timeseries-crops", "timeseries-tstcc", "timeseries-frequency", "timeseries-slicewarp"} <= names
    assert {"dilated-conv", "resnet1d", "transformer1d", "hierarchical-contrastive"} <= names
    assert {"ucr", "timeseries-file", "GunPoint", "ArrowHead", "ItalyPowerDemand", "BasicMotions"} <= names
    assert registry.has("recipe", "timeseries-ts2vec") and registry.has("evaluator", "svm")
    assert registry.get("dataset", "GunPoint").describe() == "UCR/UEA GunPoint, bundled with aeon."
    assert "normalize" in registry.get("dataset", "GunPoint").parameters()


def test_data_name_selects_a_bundled_set_and_unknown_names_get_suggestions(registry):
    bundle = build_dataset(registry, {"data": {"name": "ItalyPowerDemand"}})
    assert bundle.train.x.shape == (67, 24, 1) and bundle.info["dataset"] == "ItalyPowerDemand"
    with pytest.raises(AnyclrError, match="Did you mean: 'GunPoint'"):
        build_dataset(registry, {"data": {"name": "GunPointt"}})
    with pytest.raises(AnyclrError, match="(?s)not bundled with aeon.*Bundled: .*GunPoint"):
        build_dataset(registry, {"data": {"name": "ucr", "dataset": "FordA"}})


def test_ts2vec_recipe_trains_and_reports_svm(tmp_path, registry):
    import anyclr

    summary = anyclr.train(
        "timeseries-ts2vec",
        [
            "data.name=ItalyPowerDemand",
            "trainer.epochs=1",
            "trainer.max_steps_per_epoch=2",
            "trainer.threads=1",
            'eval.protocols=["svm", "knn"]',
            'eval.baselines=["random_init"]',
            "eval.plots=false",
        ],
        run_dir=tmp_path / "run",
        progress=False,
        registry=registry,
    )
    assert 0.5 < summary["metrics"]["svm_top1"] <= 1.0 and "knn_top1" in summary["metrics"]
    assert "svm_top1" in summary["baselines"]["random_init"]
    written = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert written["metrics"]["svm_top1"] == summary["metrics"]["svm_top1"]


@pytest.mark.parametrize(
    "views,encoder",
    [
        ({"name": "timeseries-tstcc"}, {"name": "resnet1d", "output": "pooled", "widths": [8, 8, 8]}),
        ({"name": "timeseries-frequency"}, {"name": "transformer1d", "output": "pooled", "width": 16, "depth": 1}),
        ({"name": "timeseries-slicewarp"}, {"name": "dilated-conv", "output": "pooled", "hidden": 8, "depth": 2, "out_dim": 16}),
    ],
)
def test_catalogue_objective_on_pooled_embeddings(views, encoder, registry):
    import torch

    from anyclr.core.build import build_encoder, build_objective, build_views

    cfg = {"data": {"name": "BasicMotions"}, "views": views, "encoder": {**encoder, "head": "mlp"}, "objective": {"name": "ntxent"}}
    bundle = build_dataset(registry, cfg)
    gen = build_views(registry, cfg, bundle.info)
    enc = build_encoder(registry, cfg, bundle.info)
    objective = build_objective(registry, cfg, bundle.info, enc)
    x, y = bundle.train.take(torch.arange(8))
    loss = objective.training_step(gen(x), enc, y)
    loss.backward()
    assert torch.isfinite(loss) and enc.represent(x).shape == (8, enc.out_dim)


def test_crops_too_long_for_a_series_name_it_when_the_views_are_built(tmp_path, registry):
    from anyclr.core.build import build_views

    (tmp_path / "x.tsv").write_text("1\t1\t2\t3\t4\t5\t6\t7\t8\n2\t1\t2\t3\tNaN\tNaN\tNaN\tNaN\tNaN\n")
    cfg = {"data": {"name": "timeseries-file", "path": str(tmp_path / "x.tsv")}, "views": {"name": "timeseries-crops", "temporal_unit": 1}}
    bundle = build_dataset(registry, cfg)
    with pytest.raises(AnyclrError, match=r"x\.tsv, line 2 has only 3 observed timestamps, but the crops need at least 4"):
        build_views(registry, cfg, bundle.info)
    cfg["views"]["temporal_unit"] = 0
    assert build_views(registry, cfg, bundle.info).min_crop == 2
