"""Multi-process launch for ``anyclr train --nproc N``: what ``torchrun --nproc-per-node N -m anyclr ...`` does.

Each process gets the torchrun environment (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT``); :func:`anyclr.api.train` sees ``WORLD_SIZE > 1`` and joins the process group
(gloo on CPU, NCCL on CUDA, one GPU per local rank). If one process fails the others are stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from anyclr.core.errors import AnyclrError

STOP_GRACE_SECONDS = 10.0


def free_port() -> int:
    """Return a TCP port that was free a moment ago on this machine."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rank_environment(rank: int, nproc: int, port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment of local process ``rank`` of ``nproc`` (the variables torchrun sets)."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "RANK": str(rank),
            "LOCAL_RANK": str(rank),
            "GROUP_RANK": "0",
            "WORLD_SIZE": str(nproc),
            "LOCAL_WORLD_SIZE": str(nproc),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
        }
    )
    # Each process gets its share of the CPU cores unless the user pinned a count.
    env.setdefault("OMP_NUM_THREADS", str(max((os.cpu_count() or 1) // nproc, 1)))
    return env


def check_gpus(argv: list[str], nproc: int) -> None:
    """Raise if training on CUDA with more processes than visible GPUs."""
    device = argv[argv.index("--device") + 1] if "--device" in argv[:-1] else "auto"
    if device == "cpu":
        return
    import torch

    if torch.cuda.is_available() and nproc > torch.cuda.device_count():
        raise AnyclrError(
            f"--nproc {nproc} asks for more processes than the {torch.cuda.device_count()} visible GPU(s).",
            f"Use --nproc {torch.cuda.device_count()}, or --device cpu to run {nproc} CPU processes (gloo).",
        )


def launch_distributed(argv: list[str], nproc: int, command: list[str] | None = None) -> int:
    """Run ``anyclr <argv>`` in ``nproc`` processes (one per GPU) and return the exit code.

    ``argv`` is the ``train`` command line without ``--nproc`` (e.g. ``["train", "image-simclr",
    "--set", "trainer.epochs=5"]``); every process runs it as one rank of a process group. ``command``
    replaces ``python -m anyclr`` (tests use it). Returns 0 when every process succeeded, else the first
    failing process's exit code (130 after Ctrl-C).
    """
    if nproc < 1:
        raise AnyclrError(f"--nproc must be at least 1, got {nproc}.")
    check_gpus(argv, nproc)
    port = free_port()
    base = command if command is not None else [sys.executable, "-m", "anyclr"]
    procs = [subprocess.Popen([*base, *argv], env=rank_environment(r, nproc, port)) for r in range(nproc)]
    try:
        return _wait(procs)
    except KeyboardInterrupt:
        _stop(procs)
        return 130


def _wait(procs: list[subprocess.Popen]) -> int:
    """Wait for all processes; on the first failure stop the rest and return its code."""
    while True:
        codes = [p.poll() for p in procs]
        failed = [c for c in codes if c not in (None, 0)]
        if failed:
            _stop(procs)
            return int(failed[0]) if failed[0] > 0 else 128 - int(failed[0])
        if all(c == 0 for c in codes):
            return 0
        time.sleep(0.2)


def _stop(procs: list[subprocess.Popen]) -> None:
    """Ask running processes to stop (SIGTERM), then kill any still running after a grace period."""
    running = [p for p in procs if p.poll() is None]
    for p in running:
        p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for p in running:
        try:
            p.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
