"""Run folders: one writer at a time (a lock naming its process), and a user's folder is never silently reused."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAST, make_registry

from anyclr import api
from anyclr.core import rundir
from anyclr.core.errors import AnyclrError
from anyclr.core.rundir import RunFolderBusy, RunLock

REPO = Path(__file__).resolve().parents[2]
HOLD = "import sys, time; from pathlib import Path; from anyclr.core.rundir import RunLock; RunLock(Path(sys.argv[1])).acquire(); print('locked', flush=True); time.sleep(60)"


@pytest.fixture
def holder(tmp_path):
    """Start another process that locks a folder; yield (folder, its pid); end that process."""
    folder = tmp_path / "held"
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield folder, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_second_writer_is_refused_naming_the_holder(holder):
    folder, proc = holder
    with pytest.raises(RunFolderBusy) as info:
        RunLock(folder).acquire()
    assert f"process {proc.pid} on {socket.gethostname()}" in info.value.message
    assert (folder / ".lock").read_text().split() == [str(proc.pid), socket.gethostname()]


def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_warning(holder):
    folder, proc = holder
    os.kill(proc.pid, signal.SIGKILL)  # dies without removing .lock
    proc.wait()
    assert (folder / ".lock").is_file()
    with pytest.warns(UserWarning, match=f"process {proc.pid} on .* is no longer running"):
        lock = RunLock(folder).acquire()
    assert (folder / ".lock").read_text().split() == [str(os.getpid()), socket.gethostname()]
    lock.release()
    assert not (folder / ".lock").exists()


def test_a_lock_file_from_another_host_is_not_taken_over(tmp_path):
    (tmp_path / ".lock").write_text("123 some-other-host\n")
    with pytest.raises(RunFolderBusy) as info:
        RunLock(tmp_path).acquire()
    assert "process 123 on some-other-host" in info.value.message and f"delete {tmp_path / '.lock'}" in info.value.hint


def test_two_resumes_of_one_folder_cannot_run_at_once(tmp_path, holder):
    run = tmp_path / "run"
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=run, registry=make_registry(), progress=False)
    before = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    lock = RunLock(run).acquire()  # as a first `--resume` would hold it while training
    try:
        with pytest.raises(AnyclrError, match=f"Run folder {run} is in use by another anyclr run \\(process {os.getpid()}"):
            api.train(resume=run, overrides=["trainer.epochs=2"], registry=make_registry(), progress=False)
    finally:
        lock.release()
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == before
    summary = api.train(resume=run, overrides=["trainer.epochs=2"], registry=make_registry(), progress=False)
    assert summary["epochs"] == 2 and not (run / ".lock").exists()
    epochs = [json.loads(line)["epoch"] for line in (run / "metrics.jsonl").read_text().splitlines() if '"kind": "epoch"' in line]
    assert epochs == [1, 2]


def test_a_non_empty_run_dir_is_refused_unless_overwrite(tmp_path):
    run = tmp_path / "r"
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=run, registry=make_registry(), progress=False)
    (run / "notes.txt").write_text("mine")
    (run / "plots").mkdir()
    (run / "plots" / "mine.png").write_text("mine")
    with pytest.raises(AnyclrError) as info:
        api.train("tiny", [*FAST, "trainer.epochs=2"], run_dir=run, registry=make_registry(), progress=False)
    assert info.value.message == f"Run folder {run} already holds a run."
    assert f"--resume {run}" in info.value.hint and "--overwrite" in info.value.hint
    assert not (tmp_path / "r-2").exists()

    summary = api.train("tiny", [*FAST, "trainer.epochs=2"], run_dir=run, overwrite=True, registry=make_registry(), progress=False)
    assert summary["epochs"] == 2 and summary["run_dir"] == str(run)
    assert (run / "notes.txt").read_text() == "mine" and (run / "plots" / "mine.png").read_text() == "mine"
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines if '"kind": "epoch"' in line] == [1, 2]  # the old run's records are gone


def test_a_folder_that_is_not_a_run_is_never_written(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_text("meow")
    for overwrite in (False, True):
        with pytest.raises(AnyclrError, match="not an anyclr run"):
            api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=folder, overwrite=overwrite, registry=make_registry(), progress=False)
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(AnyclrError, match="is a file"):
        rundir.claim("tiny", tmp_path / "file")


def test_clear_run_removes_only_the_runs_own_files(tmp_path):
    for name in ["config.toml", "summary.json", "metrics.jsonl", "checkpoints/last.safetensors", "checkpoints/last.state.pt",
                 "plots/loss.png", "tb/events.out.tfevents.1.host", "keep.txt", "checkpoints/mine.pt"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    rundir.clear_run(tmp_path)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["checkpoints/mine.pt", "keep.txt"]
    assert not (tmp_path / "plots").exists() and not (tmp_path / "tb").exists()


def test_default_folders_never_collide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rundir.time, "strftime", lambda fmt: "20250101-120000")
    first = rundir.claim("recipes/tiny.toml")
    second = rundir.claim("tiny")  # the same second: the first folder is locked, so the next name is taken
    try:
        assert first.path == Path("runs/tiny-20250101-120000") and second.path == Path("runs/tiny-20250101-120000-2")
    finally:
        first.release()
        second.release()
    (first.path / "config.toml").write_text("")
    third = rundir.claim("tiny")
    third.release()
    assert third.path == second.path  # the first holds a run now; the second is empty and free again


def test_resume_refuses_what_it_would_ignore(tmp_path):
    run = tmp_path / "run"
    api.train("tiny", [*FAST, "trainer.epochs=1"], run_dir=run, registry=make_registry(), progress=False)
    with pytest.raises(AnyclrError, match="the recipe 'other' would be ignored"):
        api.train("other", resume=run, registry=make_registry(), progress=False)
    with pytest.raises(AnyclrError, match=f"--run-dir {tmp_path / 'x'} would be ignored"):
        api.train(resume=run, run_dir=tmp_path / "x", registry=make_registry(), progress=False)
    with pytest.raises(AnyclrError, match="--overwrite and --resume"):
        api.train(resume=run, overwrite=True, registry=make_registry(), progress=False)
    assert not (tmp_path / "x").exists()
    # Naming the run's own recipe or folder again is harmless.
    summary = api.train("tiny", resume=run, run_dir=run, overrides=["trainer.epochs=2"], registry=make_registry(), progress=False)
    assert summary["epochs"] == 2
