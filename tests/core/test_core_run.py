"""A full run: run folder contents, summary, hooks, evaluation, embeddings."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tinyplug
import torch
from conftest import FAST, make_registry

from anyclr import api
from anyclr.core import checkpoint
from anyclr.core.errors import AnyclrError
from anyclr.core.hookspecs import hookimpl


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def anyclr_train_start(self, context):
        assert context.encoder is not None and context.optimizer is not None
        self.calls.append("start")

    @hookimpl
    def anyclr_step_end(self, context, step, loss):
        self.calls.append(f"step{step}")

    @hookimpl
    def anyclr_epoch_end(self, context, epoch, metrics):
        assert "loss" in metrics
        self.calls.append(f"epoch{epoch}")

    @hookimpl
    def anyclr_train_end(self, context, summary):
        self.calls.append("end")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("runs") / "full"
    recorder = Recorder()
    summary = api.train("tiny", ["trainer.epochs=2"], run_dir=run_dir, registry=make_registry(("rec", recorder)), progress=False)
    return run_dir, summary, recorder


def test_run_folder_contents(run):
    run_dir, _, _ = run
    for name in ["config.toml", "metrics.jsonl", "summary.json", "plots/loss.png", "plots/embedding.png",
                 "checkpoints/last.safetensors", "checkpoints/last.state.pt"]:
        assert (run_dir / name).is_file(), name
    assert any((run_dir / "tb").iterdir())
    assert not list(run_dir.rglob("*.tmp"))
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2]
    assert {"loss", "lr", "samples_per_second"} <= epochs[0].keys()
    assert "knn_top1" in epochs[1]  # the online monitor runs every knn_every=2 epochs


def test_summary_keys(run):
    run_dir, summary, _ = run
    on_disk = json.loads((run_dir / "summary.json").read_text())
    for key in ["recipe", "epochs", "train_seconds", "samples_per_second", "metrics", "baselines", "device", "seed", "run_dir", "config"]:
        assert key in on_disk, key
    assert on_disk["recipe"] == "tiny" and on_disk["epochs"] == 2 and on_disk["device"] == "cpu"
    assert set(on_disk["baselines"]) == {"random_init", "raw_input"}
    for row in [on_disk["metrics"], *on_disk["baselines"].values()]:
        assert set(row) == {"knn_top1", "feature_std"}
    assert summary["metrics"] == on_disk["metrics"]


def test_summary_metrics_are_the_protocols_on_the_runs_own_features(run, tmp_path):
    """Each row is the evaluator applied to the right features: the trained backbone's, and the raw inputs."""
    run_dir, summary, _ = run
    data = tinyplug.tiny_dataset()
    x = np.load(api.embed(run_dir, tmp_path / "z.npy", registry=make_registry()))
    train_y, test_y = data.train.y.numpy(), data.test.y.numpy()
    learned = tinyplug.knn(k=3)(x[:64], train_y, x[64:], test_y)["knn_top1"]
    raw = tinyplug.knn(k=3)(data.train.x.numpy(), train_y, data.test.x.numpy(), test_y)["knn_top1"]
    assert summary["metrics"]["knn_top1"] == pytest.approx(learned)
    assert summary["baselines"]["raw_input"]["knn_top1"] == pytest.approx(raw)
    assert summary["metrics"]["feature_std"] == pytest.approx(float(x[64:].std(0).mean()), rel=1e-5)


def test_hooks_are_called_in_order(run):
    _, summary, recorder = run
    steps = summary["steps"]
    assert recorder.calls[0] == "start" and recorder.calls[-1] == "end"
    assert recorder.calls.count("epoch1") == 1 and len([c for c in recorder.calls if c.startswith("step")]) == steps


def test_evaluate_reproduces_summary(run):
    run_dir, summary, _ = run
    again = api.evaluate(run_dir, registry=make_registry())
    assert again["metrics"] == pytest.approx(summary["metrics"])
    assert again["baselines"]["random_init"] == pytest.approx(summary["baselines"]["random_init"])
    only = api.evaluate(run_dir, protocol="knn", registry=make_registry())
    assert set(only["metrics"]) == {"knn_top1"}


def test_embed_npy_and_parquet(run, tmp_path):
    run_dir, _, _ = run
    out = api.embed(run_dir, tmp_path / "z.npy", registry=make_registry())
    x = np.load(out)
    assert x.shape == (64 + 32, 8) and x.dtype == np.float32
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    table = pd.read_parquet(api.embed(run_dir, tmp_path / "z.parquet", registry=make_registry()))
    assert list(table.columns) == ["split", "index", "label"] + [f"f{j}" for j in range(8)]
    assert len(table) == 96 and (table["split"] == "train").sum() == 64
    np.testing.assert_allclose(table[[f"f{j}" for j in range(8)]].to_numpy(), x)
    with pytest.raises(AnyclrError, match="extension"):
        api.embed(run_dir, tmp_path / "z.csv", registry=make_registry())


def test_no_test_split_holds_out_part_of_train(tmp_path):
    summary = api.train(
        "tiny", ["trainer.epochs=1", "data.test=false", "eval.baselines=[]", "eval.plots=false"],
        run_dir=tmp_path / "r", registry=make_registry(), progress=False,
    )
    assert summary["run_dir"] == str(tmp_path / "r")
    assert any("stratified" in note for note in summary["notes"])


@pytest.mark.parametrize(
    "n, classes, message",
    [
        (1, 4, "Cannot split 1 sample"),
        # Every sample its own class (labels read from the wrong column): no held-out sample has a class to learn from.
        (8, 8, "no class has 2 or more samples"),
    ],
)
def test_a_dataset_that_cannot_be_evaluated_fails_before_training(tmp_path, monkeypatch, n, classes, message):
    data = tinyplug.tiny_dataset(n=n, classes=classes, test=False)
    monkeypatch.setattr(tinyplug, "tiny_dataset", lambda **kw: data)
    with pytest.raises(AnyclrError, match=message):
        api.train("tiny", ["trainer.epochs=1"], run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    assert not (tmp_path / "r").exists()


def test_unknown_protocol_fails_before_training(tmp_path):
    with pytest.raises(AnyclrError, match="knnn"):
        api.train("tiny", [*FAST[1:], "eval.protocols=['knnn']"], run_dir=tmp_path / "x", registry=make_registry(), progress=False)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "optimizer, group_keys, state_keys",
    [("adamw", {"amsgrad", "betas"}, {"exp_avg", "exp_avg_sq"}), ("sgd", {"nesterov"}, {"momentum_buffer"}), ("lars", {"eta", "lars_exclude"}, {"momentum_buffer"})],
)
def test_each_optimizer_is_the_one_that_steps(tmp_path, optimizer, group_keys, state_keys):
    registry = make_registry()
    summary = api.train(
        "tiny", [*FAST, "trainer.epochs=1", f"trainer.optimizer='{optimizer}'", "trainer.weight_decay=0.01"],
        run_dir=tmp_path, registry=registry, progress=False,
    )
    weights, state = checkpoint.load(tmp_path)
    groups, per_param = state["optimizer"]["param_groups"], state["optimizer"]["state"]
    assert all(group_keys <= set(g) for g in groups)
    assert per_param and all(set(s) == state_keys | ({"step"} if optimizer == "adamw" else set()) for s in per_param.values())
    # Weights decay, biases and norm parameters do not (and LARS leaves them out of its trust ratio).
    assert [g["weight_decay"] for g in groups] == [0.01, 0.0]
    if optimizer == "lars":
        assert [g["lars_exclude"] for g in groups] == [False, True]
    _, _, initial = api.build_encoder_only(registry, summary["config"], summary["seed"])
    for key, value in initial.state_dict().items():
        if value.ndim > 1:
            assert not torch.equal(weights[f"encoder.{key}"], value), key  # every weight matrix moved


def test_view_batches_separate_encodes_each_view_on_its_own(tmp_path):
    """BatchNorm counts one batch per forward pass: once per step when joint, once per view when separate."""
    tracked = {}
    for mode in ("joint", "separate"):
        summary = api.train(
            "tiny", [*FAST, "trainer.epochs=1", f"trainer.view_batches='{mode}'"],
            run_dir=tmp_path / mode, registry=make_registry(), progress=False,
        )
        weights, _ = checkpoint.load(tmp_path / mode)
        tracked[mode] = int(weights["encoder.backbone.net.1.num_batches_tracked"]) / summary["steps"]
    assert tracked == {"joint": 1, "separate": 2}
    joint, separate = (checkpoint.load(tmp_path / m)[0]["encoder.backbone.net.1.running_mean"] for m in ("joint", "separate"))
    assert not torch.allclose(joint, separate)


def test_bad_view_batches_value_is_named(tmp_path):
    with pytest.raises(AnyclrError, match="trainer.view_batches must be one of joint, separate, got 'seperate'"):
        api.train("tiny", [*FAST, "trainer.view_batches='seperate'"], run_dir=tmp_path / "bad", registry=make_registry(), progress=False)


def test_print_table_false_prints_no_table(tmp_path, capsys):
    summary = api.train(
        "tiny", [*FAST, "trainer.epochs=1"], run_dir=tmp_path / "q", registry=make_registry(), progress=False, print_table=False
    )
    assert capsys.readouterr().out == ""
    assert (tmp_path / "q" / "summary.json").is_file() and summary["run_dir"] == str(tmp_path / "q")
