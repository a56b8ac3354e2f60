"""Multi-process and multi-machine launch for ``anyclr train --nproc N``, through torch's own elastic launcher.

``anyclr train RECIPE --nproc N [--nnodes M --node-rank K --rdzv-endpoint HOST:PORT]`` is
``torchrun --nproc-per-node N [...] -m anyclr train RECIPE``: :mod:`torch.distributed.run` starts the processes,
gives each the torchrun environment (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT``) and stops them all when one fails; :func:`anyclr.api.train` sees
``WORLD_SIZE > 1`` and joins the process group (gloo on CPU, NCCL on CUDA, one GPU per local rank).
"""

from __future__ import annotations

from dataclasses import dataclass

from anyclr.core.errors import AnyclrError


@dataclass
class Launch:
    """Where the processes of a run are: per machine, how many machines, and how they find each other."""

    nproc: int = 1
    nnodes: int = 1
    node_rank: int = 0
    rdzv_endpoint: str = ""  # host:port of the c10d rendezvous (any machine can start first)
    master_addr: str = ""  # or a static rendezvous at rank 0's address …
    master_port: int = 0  # … and port

    def launcher_args(self) -> list[str]:
        """Return the matching ``torch.distributed.run`` options."""
        if self.nproc < 1 or self.nnodes < 1:
            raise AnyclrError(f"--nproc and --nnodes must be at least 1, got {self.nproc} and {self.nnodes}.")
        args = [f"--nproc-per-node={self.nproc}", f"--nnodes={self.nnodes}", "--max-restarts=0"]
        if self.rdzv_endpoint:
            return [*args, "--rdzv-backend=c10d", f"--rdzv-endpoint={self.rdzv_endpoint}", "--rdzv-id=anyclr"]
        if self.master_addr or self.nnodes > 1:
            if not self.master_addr:
                raise AnyclrError(
                    f"--nnodes {self.nnodes} needs to know where the other machines meet.",
                    "Pass --rdzv-endpoint HOST:PORT (the same on every machine), or --master-addr HOST --master-port PORT with --node-rank.",
                )
            if not 0 <= self.node_rank < self.nnodes:
                raise AnyclrError(f"--node-rank must be between 0 and {self.nnodes - 1}, got {self.node_rank}.")
            return [*args, f"--node-rank={self.node_rank}", f"--master-addr={self.master_addr}", f"--master-port={self.master_port or 29500}"]
        return [*args, "--standalone"]


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


def launch_distributed(argv: list[str], launch: Launch | int, script: str | None = None) -> int:
    """Run ``anyclr <argv>`` as this machine's share of a distributed run; return the exit code.

    ``argv`` is the ``train`` command line without the launch options (e.g. ``["train", "image-simclr",
    "--set", "trainer.epochs=5"]``). ``script`` runs a Python file instead of ``-m anyclr`` (tests use it).
    Returns 0 when every local process succeeded, else the first failure's exit code (130 after Ctrl-C).
    """
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    launch = Launch(nproc=launch) if isinstance(launch, int) else launch
    if script is None:
        check_gpus(argv, launch.nproc)
    target = [script, *argv] if script is not None else ["-m", "anyclr", *argv]
    args = get_args_parser().parse_args([*launch.launcher_args(), *target])
    try:
        run(args)
    except ChildFailedError as exc:
        codes = [f.exitcode for f in exc.failures.values()]
        code = next((c for c in codes if c), 1)
        return code if code > 0 else 128 - code  # a signal -N is reported as the shell does, 128 + N
    except KeyboardInterrupt:
        return 130
    return 0
