"""Two CPU processes (gloo) with batch B/2 each train exactly like one process with batch B."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import make_registry

from anyclr import api
from anyclr.core import checkpoint

WORKER = Path(__file__).parent / "ddp_worker.py"
# Deterministic views and no batch norm: then the only difference between the runs is the sharding.
SETS = ["trainer.epochs=2", "views.sigma=0.0", "encoder.norm=false", "objective.gather=true",
        "eval.protocols=[]", "eval.baselines=[]", "eval.plots=false", "trainer.knn_every=0"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_match_one(tmp_path):
    api.train("tiny", SETS, run_dir=tmp_path / "one", registry=make_registry(), progress=False)
    port = str(free_port())
    procs = []
    for rank in range(2):
        env = {**os.environ, "WORLD_SIZE": "2", "RANK": str(rank), "LOCAL_RANK": str(rank),
               "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port, "OMP_NUM_THREADS": "1"}
        procs.append(subprocess.Popen([sys.executable, str(WORKER), str(tmp_path / "two"), *SETS], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for p in procs:
        out, _ = p.communicate(timeout=240)
        assert p.returncode == 0, out.decode()[-3000:]
    a = checkpoint.load_weights(tmp_path / "one" / "checkpoints" / checkpoint.WEIGHTS)
    b = checkpoint.load_weights(tmp_path / "two" / "checkpoints" / checkpoint.WEIGHTS)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-5, msg=key)
    assert not (tmp_path / "two-2").exists()  # every rank used the same run folder


STREAM_WORKER = Path(__file__).parent / "ddp_stream_worker.py"
STREAM_SETS = ["data.name=\"tiny-stream\"", "trainer.batch_size=8", "trainer.epoch_steps=2", "trainer.num_workers=2",
               "trainer.warmup_epochs=0", "trainer.final_lr_ratio=1.0", "objective.gather=true",
               "eval.protocols=[]", "eval.baselines=[]", "eval.plots=false", "trainer.knn_every=0"]


def run_two(run_dir: Path, mode: str, *sets: str) -> None:
    port = str(free_port())
    procs = []
    for rank in range(2):
        env = {**os.environ, "WORLD_SIZE": "2", "RANK": str(rank), "LOCAL_RANK": str(rank), "LOCAL_WORLD_SIZE": "2",
               "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port, "OMP_NUM_THREADS": "1"}
        procs.append(subprocess.Popen([sys.executable, str(STREAM_WORKER), str(run_dir), mode, *sets], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for p in procs:
        out, _ = p.communicate(timeout=240)  # a rank left waiting in a collective would hang here
        assert p.returncode == 0, out.decode()[-3000:]


@pytest.mark.slow
def test_two_processes_train_on_a_stream_checkpoint_and_resume_exactly(tmp_path):
    run_two(tmp_path / "straight", "new", *STREAM_SETS, "trainer.max_steps=6")
    run_two(tmp_path / "cut", "new", *STREAM_SETS, "trainer.max_steps=4")
    _, state = checkpoint.load(tmp_path / "cut")
    assert len(state["stream_positions"]) == 2 and len(state["stream_positions"][0]) == 2  # 2 ranks x 2 readers
    run_two(tmp_path / "cut", "resume", "trainer.max_steps=6")
    a = checkpoint.load_weights(tmp_path / "straight" / "checkpoints" / checkpoint.WEIGHTS)
    b = checkpoint.load_weights(tmp_path / "cut" / "checkpoints" / checkpoint.WEIGHTS)
    assert all(torch.equal(a[k], b[k]) for k in a)
