"""Resuming at an epoch boundary reproduces an uninterrupted run exactly."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import FAST, make_registry

from anyclr import api
from anyclr.core import checkpoint
from anyclr.core.errors import AnyclrError
from anyclr.core.hookspecs import hookimpl


class Interrupt(KeyboardInterrupt):
    """Ctrl-C: the one kind of exception a plug-in's lifecycle hook lets through (others only disable it)."""


class StopAfter:
    """A plug-in that interrupts training after an epoch (as a crash or Ctrl-C would)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    @hookimpl
    def anyclr_epoch_end(self, context, epoch, metrics):
        if epoch == self.epoch:
            raise Interrupt


def weights(run_dir):
    return checkpoint.load_weights(checkpoint.checkpoint_dir(run_dir) / checkpoint.WEIGHTS)


def test_resume_matches_uninterrupted_run(tmp_path):
    sets = [*FAST, "trainer.epochs=4"]
    straight = api.train("tiny", sets, run_dir=tmp_path / "straight", registry=make_registry(), progress=False)

    with pytest.raises(Interrupt):
        api.train("tiny", sets, run_dir=tmp_path / "cut", registry=make_registry(("stop", StopAfter(2))), progress=False)
    _, state = checkpoint.load(tmp_path / "cut")
    assert state["epoch"] == 2
    resumed = api.train(resume=tmp_path / "cut", registry=make_registry(), progress=False)

    a, b = weights(tmp_path / "straight"), weights(tmp_path / "cut")
    assert a.keys() == b.keys()
    assert any(k.startswith("objective.target.") for k in a)  # EMA target and buffers are checkpointed too
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert resumed["loss_history"] == straight["loss_history"]
    assert resumed["epochs"] == 4 and resumed["steps"] == straight["steps"]
    steps = [json.loads(line)["step"] for line in (tmp_path / "cut" / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(steps)


def test_resume_can_extend_epochs_and_lower_the_learning_rate_only(tmp_path):
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    for change in ("trainer.batch_size=8", "trainer.weight_decay=0.1", "objective.temperature=0.1"):
        with pytest.raises(AnyclrError, match=f"Cannot change '{change.split('=')[0]}' when resuming"):
            api.train(resume=tmp_path / "r", overrides=[change], registry=make_registry(), progress=False)
    with pytest.raises(AnyclrError, match="trainer.lr must be a number > 0"):
        api.train(resume=tmp_path / "r", overrides=["trainer.lr=-1"], registry=make_registry(), progress=False)
    lrs = []

    class LR:
        @hookimpl
        def anyclr_step_end(self, context, step, loss):
            lrs.append(context.optimizer.param_groups[0]["lr"])

    summary = api.train(
        resume=tmp_path / "r", overrides=["trainer.epochs=2", "trainer.lr=0.0001"], registry=make_registry(("lr", LR())), progress=False
    )
    assert summary["epochs"] == 2
    assert "epochs = 2" in (tmp_path / "r" / "config.toml").read_text() and "lr = 0.0001" in (tmp_path / "r" / "config.toml").read_text()
    assert lrs and max(lrs) <= 0.0001  # the new rate is the one used (the checkpointed optimiser's is not)


def test_resume_needs_a_checkpoint(tmp_path):
    with pytest.raises(AnyclrError, match="last.state.pt"):
        api.train(resume=tmp_path, registry=make_registry(), progress=False)
