"""``anyclr train --nproc N``: the launcher gives each process the torchrun environment and stops all on a failure;
end to end (slow), a 2-process run trains, writes once, and a resumed 2-process run continues exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anyclr.cli_launch import launch_distributed, rank_environment

WRITE_ENV = (
    "import json, os, sys; "
    "keys = ['RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'LOCAL_WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT']; "
    "open(os.path.join(sys.argv[1], os.environ['RANK'] + '.json'), 'w').write(json.dumps({k: os.environ[k] for k in keys}))"
)


def test_each_process_gets_the_torchrun_environment(tmp_path):
    assert launch_distributed(["-c", WRITE_ENV, str(tmp_path)], 3, command=[sys.executable]) == 0
    envs = [json.loads((tmp_path / f"{r}.json").read_text()) for r in range(3)]
    assert [e["RANK"] for e in envs] == ["0", "1", "2"] == [e["LOCAL_RANK"] for e in envs]
    assert {e["WORLD_SIZE"] for e in envs} == {"3"} and {e["LOCAL_WORLD_SIZE"] for e in envs} == {"3"}
    assert len({e["MASTER_PORT"] for e in envs}) == 1


def test_a_failing_process_stops_the_others(tmp_path):
    code = "import os, sys, time; sys.exit(3) if os.environ['RANK'] == '1' else time.sleep(60)"
    start = time.monotonic()
    assert launch_distributed(["-c", code], 2, command=[sys.executable]) == 3
    assert time.monotonic() - start < 30


def test_rank_environment_keeps_the_rest():
    env = rank_environment(1, 2, 12345, base={"PATH": "/bin", "OMP_NUM_THREADS": "3"})
    assert env["PATH"] == "/bin" and env["OMP_NUM_THREADS"] == "3" and env["RANK"] == "1" and env["MASTER_PORT"] == "12345"


def _cli(*args: str) -> None:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, "-m", "anyclr", *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]


@pytest.mark.slow
def test_two_process_training_resumes_exactly(tmp_path):
    # A constant learning rate (no warm-up, no decay) makes the schedule independent of trainer.epochs, so
    # "1 epoch, then --resume to 2" must equal "2 epochs" exactly; nnclr carries a support set and a predictor.
    common = [
        "--nproc", "2", "--device", "cpu", "--quiet",
        "--set", "trainer.max_steps_per_epoch=2", "--set", "trainer.batch_size=32", "--set", "trainer.warmup_epochs=0",
        "--set", "trainer.final_lr_ratio=1.0", "--set", "trainer.threads=1", "--set", "encoder.width=4",
        "--set", "data.image_size=8", "--set", "eval.protocols=[]", "--set", "eval.baselines=[]", "--set", "eval.plots=false",
    ]  # fmt: skip
    straight, split = tmp_path / "straight", tmp_path / "split"
    _cli("train", "image-nnclr", "--run-dir", str(straight), "--set", "trainer.epochs=2", *common)
    _cli("train", "image-nnclr", "--run-dir", str(split), "--set", "trainer.epochs=1", *common)
    _cli("train", "--resume", str(split), "--nproc", "2", "--device", "cpu", "--quiet", "--set", "trainer.epochs=2")
    a, b = (json.loads((d / "summary.json").read_text()) for d in (straight, split))
    assert a["world_size"] == b["world_size"] == 2
    assert a["loss_history"] == b["loss_history"]
    from safetensors.torch import load_file

    wa, wb = (load_file(str(d / "checkpoints" / "last.safetensors")) for d in (straight, split))
    assert wa.keys() == wb.keys() and any(k.startswith("objective.support.") for k in wa)
    assert all((wa[k] == wb[k]).all() for k in wa)
    # only rank 0 writes: one line per logged step/epoch, not two
    epochs = [json.loads(line) for line in (straight / "metrics.jsonl").read_text().splitlines() if '"epoch"' in line]
    assert [e["epoch"] for e in epochs if e.get("kind") == "epoch"] == [1, 2]
    assert not list(Path(tmp_path).glob("*/checkpoints/*.tmp"))
