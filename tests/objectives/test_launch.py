"""``anyclr train --nproc N`` runs through torch.distributed.run: each process gets the torchrun environment and all
stop on a failure; end to end (slow), a 2-process run trains, writes once, and a resumed 2-process run continues exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anyclr.cli_launch import Launch, launch_distributed
from anyclr.core.errors import AnyclrError

WRITE_ENV = (
    "import json, os, sys; "
    "keys = ['RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'LOCAL_WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT']; "
    "open(os.path.join(sys.argv[1], os.environ['RANK'] + '.json'), 'w').write(json.dumps({k: os.environ[k] for k in keys}))"
)


def script(tmp_path: Path, code: str) -> str:
    path = tmp_path / "worker.py"
    path.write_text(code)
    return str(path)


def test_each_process_gets_the_torchrun_environment(tmp_path):
    assert launch_distributed([str(tmp_path)], 3, script=script(tmp_path, WRITE_ENV)) == 0
    envs = [json.loads((tmp_path / f"{r}.json").read_text()) for r in range(3)]
    assert [e["RANK"] for e in envs] == ["0", "1", "2"] == [e["LOCAL_RANK"] for e in envs]
    assert {e["WORLD_SIZE"] for e in envs} == {"3"} and {e["LOCAL_WORLD_SIZE"] for e in envs} == {"3"}
    assert len({e["MASTER_PORT"] for e in envs}) == 1


def test_a_failing_process_stops_the_others(tmp_path):
    code = "import os, sys, time; sys.exit(3) if os.environ['RANK'] == '1' else time.sleep(60)"
    start = time.monotonic()
    assert launch_distributed([], 2, script=script(tmp_path, code)) == 3
    assert time.monotonic() - start < 50


def test_launch_options_for_several_machines():
    assert Launch(4).launcher_args()[-1] == "--standalone"
    two = Launch(8, nnodes=2, rdzv_endpoint="head:29400").launcher_args()
    assert "--nnodes=2" in two and "--rdzv-endpoint=head:29400" in two and "--rdzv-backend=c10d" in two
    static = Launch(2, nnodes=2, node_rank=1, master_addr="10.0.0.1", master_port=1234).launcher_args()
    assert "--node-rank=1" in static and "--master-addr=10.0.0.1" in static and "--master-port=1234" in static
    with pytest.raises(AnyclrError, match="meet"):
        Launch(2, nnodes=2).launcher_args()
    with pytest.raises(AnyclrError, match="node-rank"):
        Launch(2, nnodes=2, node_rank=2, master_addr="h").launcher_args()


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
