"""Checkpoints: NaN stops cleanly, malicious pickles never run, writes are atomic."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest
import torch
from conftest import FAST, make_registry

from anyclr import api
from anyclr.core import checkpoint
from anyclr.core.errors import AnyclrError


def test_nan_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    # 64 samples / batch 16 = 4 steps per epoch: call 6 is step 2 of epoch 2.
    with pytest.raises(AnyclrError) as info:
        api.train("tiny", [*FAST, "objective.nan_at_step=6"], run_dir=tmp_path, registry=make_registry(), progress=False)
    message = str(info.value)
    assert "epoch 2, step 2" in message and "global step 6" in message
    weights, state = checkpoint.load(tmp_path)
    assert state["epoch"] == 1 and state["step"] == 4
    assert all(torch.isfinite(w).all() for w in weights.values() if w.is_floating_point())
    assert not (tmp_path / "summary.json").exists()
    assert not [p for p in (tmp_path / "checkpoints").iterdir() if p.name.endswith(".tmp")]
    # The hint is a command that works: resume with the lower learning rate it names.
    assert f"anyclr train --resume {tmp_path} --set trainer.lr=0.001" in info.value.hint
    sets = re.findall(r"--set (\S+?)\.?(?=\s|$)", info.value.hint)
    assert sets == ["trainer.lr=0.001"]
    summary = api.train(resume=tmp_path, overrides=[*sets, "trainer.epochs=1"], registry=make_registry(), progress=False)
    assert summary["epochs"] == 1 and "lr = 0.001" in (tmp_path / "config.toml").read_text()


def test_nan_before_any_checkpoint_suggests_a_fresh_run(tmp_path):
    with pytest.raises(AnyclrError) as info:
        api.train("tiny", [*FAST, "objective.nan_at_step=2", "trainer.grad_clip=0"], run_dir=tmp_path, registry=make_registry(), progress=False)
    assert "no checkpoint was written" in info.value.message
    assert "--set trainer.lr=0.001 --set trainer.grad_clip=1.0" in info.value.hint and "--overwrite" in info.value.hint
    assert "--resume" not in info.value.hint


class Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("writer", ["torch", "pickle"])
def test_malicious_state_is_refused_without_running_code(tmp_path, writer):
    marker = tmp_path / "marker"
    path = tmp_path / "run" / "checkpoints" / checkpoint.STATE
    path.parent.mkdir(parents=True)
    payload = {"epoch": 1, "evil": Evil(marker)}
    if writer == "torch":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload))
    with pytest.raises(AnyclrError) as info:
        checkpoint.load_state(path)
    assert str(path) in str(info.value)
    assert not marker.exists()


def test_malicious_checkpoint_in_a_run_is_refused_on_resume(tmp_path):
    run = tmp_path / "run"
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=run, registry=make_registry(), progress=False)
    marker = tmp_path / "marker"
    state = run / "checkpoints" / checkpoint.STATE
    torch.save({"epoch": 1, "evil": Evil(marker)}, state)
    with pytest.raises(AnyclrError, match=str(state)):
        api.train(resume=run, overrides=["trainer.epochs=2"], registry=make_registry(), progress=False)
    assert not marker.exists()


def test_corrupt_weights_name_the_file(tmp_path):
    path = tmp_path / checkpoint.WEIGHTS
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(AnyclrError, match=str(path)):
        checkpoint.load_weights(path)


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "file.bin"
    target.write_text("old")

    def failing(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        checkpoint.atomic_write(target, failing)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["file.bin"]
    checkpoint.atomic_write(target, lambda tmp: Path(tmp).write_text("new"))
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_shared_tensors_are_saved(tmp_path):
    lin = torch.nn.Linear(3, 3)
    tied = torch.nn.Module()
    tied.a, tied.b = lin, lin  # the same parameters under two names
    tied.t = torch.nn.Parameter(torch.randn(4, 3).t())  # non-contiguous
    checkpoint.save(tmp_path, {"encoder": tied}, {"epoch": 3})
    weights, state = checkpoint.load(tmp_path)
    assert state["epoch"] == 3
    assert torch.equal(weights["encoder.a.weight"], weights["encoder.b.weight"])
    assert torch.equal(weights["encoder.t"], tied.t.detach())
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == [checkpoint.WEIGHTS, checkpoint.STATE]


def test_mismatched_checkpoint_pair_is_detected(tmp_path):
    module = torch.nn.Linear(2, 2)
    checkpoint.save(tmp_path, {"encoder": module}, {"epoch": 1})
    folder = checkpoint.checkpoint_dir(tmp_path)
    old = (folder / checkpoint.WEIGHTS).read_bytes()
    checkpoint.save(tmp_path, {"encoder": module}, {"epoch": 2})
    (folder / checkpoint.WEIGHTS).write_bytes(old)  # as if the run died between the two renames
    with pytest.raises(AnyclrError, match="disagree"):
        checkpoint.load(tmp_path)


def test_refused_state_names_the_reason_without_colour_codes_or_unsafe_advice(tmp_path):
    import numpy as np

    path = tmp_path / checkpoint.STATE
    torch.save({"epoch": 1, "array": np.zeros(2)}, path)  # a global torch does not allow by default
    with pytest.raises(AnyclrError) as info:
        checkpoint.load_state(path)
    message = info.value.message
    assert "was not an allowed global by default" in message and "multiarray" in message
    assert "\x1b[" not in message and "weights_only` set to `False`" not in message and "add_safe_globals" not in message


def test_weights_that_do_not_fit_name_the_keys(tmp_path):
    checkpoint.save(tmp_path, {"encoder": torch.nn.Linear(2, 3)}, {"epoch": 1})
    weights, _ = checkpoint.load(tmp_path)
    with pytest.raises(AnyclrError) as info:
        checkpoint.restore(torch.nn.Linear(2, 4), weights, "encoder", tmp_path)
    assert "different shapes (saved vs built): weight [3, 2] vs [4, 2], bias [3] vs [4]" in info.value.message
    with pytest.raises(AnyclrError, match="missing: 0.weight, 0.bias; unexpected: bias, weight"):
        checkpoint.restore(torch.nn.Sequential(torch.nn.Linear(2, 3)), weights, "encoder", tmp_path)
