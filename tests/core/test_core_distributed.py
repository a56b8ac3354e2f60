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
