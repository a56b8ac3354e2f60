"""A full disk or a read-only folder gives an error naming the path and what to do, and loses nothing already written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import FAST, make_registry

from anyclr import api
from anyclr.core import checkpoint
from anyclr.core.errors import AnyclrError
from anyclr.core.runlog import RunLog, read_metrics


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def fail_on_write(n: int, name: str):
    """Path.write_bytes whose ``n``-th write of a temporary file for ``name`` writes half and raises ENOSPC, as a
    full disk does (checkpoints are serialised in memory, then written by plain file I/O)."""
    original = Path.write_bytes
    calls = []

    def wrapped(self, data):
        if self.name.startswith(f".{name}."):
            calls.append(1)
            if len(calls) == n:
                original(self, data[: len(data) // 2])  # a torn write
                raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data)

    return wrapped


def test_disk_full_while_checkpointing_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "write_bytes", fail_on_write(2, checkpoint.WEIGHTS))  # epoch 2's weights
    with pytest.raises(AnyclrError) as info:
        api.train("tiny", [*FAST, "trainer.epochs=3"], run_dir=tmp_path, registry=make_registry(), progress=False)
    assert info.value.message == f"No space left on the device while writing last.safetensors ({tmp_path / 'checkpoints' / 'last.safetensors'})."
    assert "--resume" in info.value.hint
    weights, state = checkpoint.load(tmp_path)  # state and weights still agree: both from epoch 1
    assert state["epoch"] == 1 and all(torch.isfinite(w).all() for w in weights.values() if w.is_floating_point())
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == [checkpoint.WEIGHTS, checkpoint.STATE]
    monkeypatch.undo()
    summary = api.train(resume=tmp_path, overrides=["trainer.epochs=3"], registry=make_registry(), progress=False)
    assert summary["epochs"] == 3


def test_disk_full_while_logging_names_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(RunLog, "log", disk_full)
    with pytest.raises(AnyclrError, match=f"No space left on the device while writing run files \\({tmp_path}\\)"):
        api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=tmp_path, registry=make_registry(), progress=False)


def test_disk_full_when_resuming_keeps_config_and_metrics(tmp_path, monkeypatch):
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=tmp_path, registry=make_registry(), progress=False)
    config, metrics = (tmp_path / "config.toml").read_text(), (tmp_path / "metrics.jsonl").read_text()
    monkeypatch.setattr(Path, "write_text", disk_full)  # config.toml and the trimmed metrics.jsonl are rewritten on resume
    with pytest.raises(AnyclrError, match="No space left on the device while writing config.toml"):
        api.train(resume=tmp_path, overrides=["trainer.epochs=2"], registry=make_registry(), progress=False)
    monkeypatch.undo()
    assert (tmp_path / "config.toml").read_text() == config and (tmp_path / "metrics.jsonl").read_text() == metrics
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_metrics_line_cut_short_is_skipped(tmp_path):
    (tmp_path / "metrics.jsonl").write_text('{"kind": "step", "step": 1, "loss": 1.0}\n{"kind": "ste')
    assert read_metrics(tmp_path) == [{"kind": "step", "step": 1, "loss": 1.0}]


def test_read_only_file_system(tmp_path, monkeypatch):
    original = Path.mkdir

    def read_only(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / "ro")):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(AnyclrError) as info:
        api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=tmp_path / "ro" / "run", registry=make_registry(), progress=False)
    assert info.value.message == f"Cannot write run files: {tmp_path / 'ro' / 'run'} is on a read-only file system."
    assert "--run-dir" in info.value.hint


def test_folder_without_write_permission(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        if os.access(parent, os.W_OK):
            pytest.skip("running as root: permissions do not stop writes")
        with pytest.raises(AnyclrError, match=f"Cannot write run files: permission denied for {parent / 'run'}"):
            api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=parent / "run", registry=make_registry(), progress=False)
    finally:
        parent.chmod(0o755)


def test_disk_full_while_embedding(tmp_path, monkeypatch):
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=tmp_path / "run", registry=make_registry(), progress=False)
    monkeypatch.setattr(np, "save", disk_full)
    with pytest.raises(AnyclrError, match=f"No space left on the device while writing the embeddings \\({tmp_path / 'z.npy'}\\)"):
        api.embed(tmp_path / "run", tmp_path / "z.npy", registry=make_registry())


def test_permission_errors_outside_the_run_folder_are_not_called_write_errors(tmp_path):
    from anyclr.core.writing import write_error

    inside = OSError(errno.EACCES, "Permission denied", str(tmp_path / "run" / "checkpoints"))
    parent = OSError(errno.EACCES, "Permission denied", str(tmp_path))
    data = OSError(errno.EACCES, "Permission denied", "/data/images/cat.png")
    assert "permission denied for" in write_error(inside, tmp_path / "run").message
    assert "permission denied for" in write_error(parent, tmp_path / "run").message  # creating the folder's parents
    assert write_error(data, tmp_path / "run") is None
    assert "No space left" in write_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "run").message
