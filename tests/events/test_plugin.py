"""The event plug-in as users meet it: registered names, the recipe end to end, embedding new logs, shards, gbdt."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import torch

import anyclr
from anyclr.core.build import build_dataset
from anyclr.core.errors import AnyclrError


def test_components_are_registered_lazily(registry):
    names = {c.name for c in registry.components(modality="events") if c.modality == "events"}
    assert {"events", "events-transactions", "events-coles", "events-gru", "events-transformer", "coles"} <= names
    assert {"events-slice", "events-dropout", "events-time-shift", "events-time-warp", "events-field-mask"} <= names
    assert registry.has("recipe", "events-coles") and registry.has("codec", "events") and registry.has("evaluator", "gbdt")
    assert "id_column" in registry.get("dataset", "events").parameters()


def test_bundled_set_is_real_files_with_disjoint_entities(small_set):
    train, test = pd.read_parquet(small_set / "train.parquet"), pd.read_csv(small_set / "test.csv")
    assert set(train.client_id).isdisjoint(set(test.client_id)) and train.event_time.is_monotonic_increasing
    assert {"client_id", "event_time", "mcc", "channel", "amount"} == set(train.columns)
    labels = pd.read_csv(small_set / "labels.csv")
    assert set(labels.segment) == {0, 1, 2, 3} and set(labels.churn) == {0, 1} and len(labels) == 52


def test_recipe_trains_and_evaluates_both_labels_against_the_aggregates(tmp_path, registry, small_set, caplog):
    overrides = ["data.clients=40", "data.test_clients=12", "trainer.epochs=1", "trainer.batch_size=8", "trainer.threads=1",
                 "views.n_views=3", "views.max_len=20", "encoder.hidden=16", "eval.protocols=['linear', 'gbdt']"]  # fmt: skip
    summary = anyclr.train("events-coles", overrides, registry=registry, run_dir=tmp_path / "run", progress=False, print_table=False)
    assert summary["steps"] == 5 and np.isfinite(summary["final_loss"])
    for row in (summary["metrics"], summary["baselines"]["random_init"], summary["baselines"]["raw_input"]):
        assert {"linear_top1", "gbdt_top1", "churn/linear_top1", "churn/gbdt_top1"} <= set(row)
    assert any("event count, activity span, counts of each value" in n for n in summary["notes"])

    # Embedding a new log: values training never had are read as unknown (said once), the vocabulary is the run's.
    log = pd.read_parquet(small_set / "test.parquet")
    log.loc[log.index[:5], "mcc"] = 99999
    new = tmp_path / "new.csv"
    log.to_csv(new, index=False)
    with caplog.at_level(logging.WARNING, logger="anyclr.events"):
        out = anyclr.embed(tmp_path / "run", tmp_path / "z.npy", data_path=str(new), registry=registry)
    z = np.load(out)
    assert z.shape == (12, 16) and np.isfinite(z).all()
    assert "never seen in training" in caplog.text


def test_shards_round_trip_entities(tmp_path, registry, small_set):
    from anyclr.core.registry import set_registry

    set_registry(registry)
    from anyclr.api import shard

    result = shard("events-transactions", tmp_path / "shards", samples_per_shard=16, overrides=["data.clients=40", "data.test_clients=12"], progress=False, registry=registry)
    assert result["splits"]["train"]["samples"] == 40 and result["codec"] == "events"
    bundle = build_dataset(registry, {"data": {"name": "events-transactions", "clients": 40, "test_clients": 12}})
    shards = build_dataset(registry, {"data": {"name": "shards", "path": str(tmp_path / "shards"), "shuffle_buffer": 0}})
    first = next(iter(shards.train))[:2]  # (input, label[, metadata])
    seq, label = first
    want, want_label = bundle.train[0]
    assert label == want_label and np.array_equal(seq.categorical, want.categorical) and np.allclose(seq.time, want.time)
    batch, labels = shards.collate([first, next(iter(shards.train))[:2]])
    assert shards.raw_features(batch).shape[0] == 2 and shards.info["event_fields"]["time"]["kind"] == "timestamp"


def test_gbdt_evaluator_separates_and_checks_inputs():
    from anyclr.evaluators.gbdt import gbdt

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)  # XOR-like: trees get it, a linear probe cannot
    probe = gbdt(max_iter=100)
    assert probe(x[:150], y[:150], x[150:], y[150:])["gbdt_top1"] > 0.85
    with pytest.raises(AnyclrError, match="GBDT probe: the training features contains NaN"):
        probe(np.full((4, 2), np.nan), np.zeros(4), x[:2], y[:2])


def test_bad_data_keys_are_named(registry):
    with pytest.raises(AnyclrError, match="data.format must be one of parquet, csv"):
        build_dataset(registry, {"data": {"name": "events-transactions", "format": "json"}})
    with pytest.raises(AnyclrError, match="Unknown key data.id_col "):
        build_dataset(registry, {"data": {"name": "events", "path": "x.csv", "id_col": "a"}})


def test_transformer_and_catalogue_objectives_train_on_events(tmp_path, registry, small_set):
    recipe = tmp_path / "events-ntxent.toml"
    recipe.write_text(
        """
[data]
name = "events-transactions"
clients = 40
test_clients = 12
[views]
name = "compose"
n_views = 2
augmentations = [{name = "events-slice", min_len = 5, max_len = 20}, {name = "events-dropout", rate = 0.1},
                 {name = "events-time-warp"}, {name = "events-time-shift"}, {name = "events-field-mask"}]
[encoder]
name = "events-transformer"
width = 16
depth = 1
heads = 2
[objective]
name = "ntxent"
[trainer]
epochs = 1
max_steps_per_epoch = 2
batch_size = 8
threads = 1
[eval]
protocols = ["knn"]
baselines = []
plots = false
"""
    )
    torch.manual_seed(0)
    summary = anyclr.train(str(recipe), registry=registry, run_dir=tmp_path / "run", progress=False, print_table=False)
    assert summary["steps"] == 2 and np.isfinite(summary["final_loss"]) and "knn_top1" in summary["metrics"]
