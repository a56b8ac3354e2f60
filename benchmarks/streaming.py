"""Training from WebDataset shards of a million images vs the same model on the in-memory path.

Not a test. Fashion-MNIST's 60,000 training images are repeated (each copy its own sample, keyed by its index)
to ``--samples`` (default 1,020,000) and written as PNG shards with ``anyclr shard``'s writer; then SimCLR with
the small ConvNet trains ``--steps`` optimiser steps twice, with the same recipe and seed:

- streaming: ``data.name = "shards"`` (decoded in ``--workers`` DataLoader workers, seeded shuffle buffer);
- in memory: Fashion-MNIST as one uint8 tensor (batches are slices; nothing to decode).

Printed: shard-writing throughput; training samples/s of both and their ratio (target >= 0.9); the peak RSS
of the streaming run (main process plus its workers, sampled every 10 steps) at step 100 and at the end
(target: end <= 1.2x step 100: memory does not grow with the data read). Skips when Fashion-MNIST is not
installed (``apt-get install dataset-fashion-mnist``). Run it alone on the machine.

    python benchmarks/streaming.py                      # 1,020,000 samples, 600 steps (about 10 minutes on 2 cores)
    python benchmarks/streaming.py --samples 100000 --steps 150 --keep /tmp/fm-shards   # quicker; keeps the shards
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

import anyclr
from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.hookspecs import hookimpl
from anyclr.core.registry import Registry, get_registry


class Repeated(torch.utils.data.Dataset):
    """``n`` samples cycling through a smaller map-style dataset (sample ``i`` is ``base[i % len(base)]``)."""

    def __init__(self, base: torch.utils.data.Dataset, n: int) -> None:
        self.base, self.n = base, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        return self.base[i % len(self.base)]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its child processes (DataLoader workers), in MiB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class MemoryProbe:
    """A plug-in that samples RSS every 10 steps: the peak up to step 100 and the peak over the whole run."""

    def __init__(self) -> None:
        self.at_100 = 0.0
        self.peak = 0.0

    @hookimpl
    def anyclr_step_end(self, context: Any, step: int, loss: float) -> None:
        if step % 10 and step != 1:
            return
        now = rss_mb(os.getpid())
        self.peak = max(self.peak, now)
        if step <= 100:
            self.at_100 = self.peak


def recipe(data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """SimCLR with the small ConvNet (the fashion_mnist benchmark's settings), trained for ``--steps`` steps."""
    return {
        "data": data,
        "views": {"name": "image-simclr", "crop_scale": [0.2, 1.0], "flip_prob": 0.5, "jitter_strength": 0.5, "blur_prob": 0.0},
        "encoder": {"name": "convnet", "width": 16, "head": "mlp", "head_hidden_dim": 512, "head_out_dim": 128},
        "objective": {"name": "ntxent", "temperature": 0.2},
        "trainer": {
            "max_steps": args.steps, "epoch_steps": max(args.steps // 3, 1), "batch_size": 256, "lr": 1e-3, "warmup_epochs": 0,
            "threads": args.threads, "num_workers": args.workers, "knn_every": 0, "seed": 0, "device": "cpu",
        },
        "eval": {"protocols": [], "baselines": [], "plots": False},
    }


def train(name: str, cfg: dict[str, Any], workdir: Path, registry: Registry) -> dict[str, Any]:
    import tomli_w

    path = workdir / f"{name}.toml"
    path.write_text(tomli_w.dumps(cfg))
    return anyclr.train(str(path), run_dir=workdir / name, progress=False, print_table=False, registry=registry)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_020_000)
    parser.add_argument("--per-shard", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--workers", type=int, default=1, help="DataLoader workers decoding the shards")
    parser.add_argument("--write-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="torch threads of the training process")
    parser.add_argument("--keep", type=Path, default=None, help="write (or reuse) the shards here instead of a temporary folder")
    args = parser.parse_args()

    registry = get_registry()
    try:
        fashion = registry.get("dataset", "fashion-mnist").factory()
    except AnyclrError as exc:
        print(f"Skipping: {exc.message}")
        return
    workdir = Path(tempfile.mkdtemp(prefix="anyclr-streaming-"))
    out = args.keep or workdir / "shards"
    try:
        if out.is_dir() and any(out.glob("train-*.tar")):
            print(f"reusing the shards in {out}")
            wrote = None
        else:
            from anyclr.shards.writer import write_shards

            big = DataBundle(Repeated(fashion.train, args.samples), None, info=fashion.info)
            torch.set_num_threads(1)
            wrote = write_shards(big, out, args.per_shard, dataset="fashion-mnist x repeated", workers=args.write_workers, progress=True)
        probe = MemoryProbe()
        probe_registry = Registry(extra_plugins=[("memory-probe", probe)])
        streamed = train("streaming", recipe({"name": "shards", "path": str(out), "shuffle_buffer": 2000}, args), workdir, probe_registry)
        main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        in_memory = train("in-memory", recipe({"name": "fashion-mnist"}, args), workdir, registry)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    from rich.console import Console
    from rich.table import Table

    ratio = streamed["samples_per_second"] / in_memory["samples_per_second"]
    growth = probe.peak / probe.at_100 if probe.at_100 else float("nan")
    table = Table(title=f"SimCLR, ConvNet width 16, batch 256, {args.steps} steps, {args.workers} worker(s), {args.threads} threads")
    for col in ("measure", "value", "target"):
        table.add_column(col)
    if wrote is not None:
        mib = sum(s["bytes"] for s in wrote["splits"].values()) / 2**20
        shards = sum(s["shards"] for s in wrote["splits"].values())
        table.add_row("shard writing", f"{wrote['samples']:,} samples, {shards} shards, {mib:,.0f} MiB in {wrote['seconds']:.0f} s: {wrote['samples_per_second']:,.0f} samples/s", "")
    table.add_row("samples/s streaming", f"{streamed['samples_per_second']:,.0f}", "")
    table.add_row("samples/s in memory", f"{in_memory['samples_per_second']:,.0f}", "")
    table.add_row("ratio streaming / in memory", f"{ratio:.2f}", ">= 0.9 " + ("met" if ratio >= 0.9 else "MISSED"))
    table.add_row("peak RSS at step 100 (main + workers)", f"{probe.at_100:,.0f} MiB", "")
    table.add_row("peak RSS at the end (main + workers)", f"{probe.peak:,.0f} MiB", "")
    table.add_row("end / step 100", f"{growth:.2f}", "<= 1.2 " + ("met" if growth <= 1.2 else "MISSED"))
    table.add_row("peak RSS of the main process (ru_maxrss)", f"{main_peak:,.0f} MiB", "")
    table.add_row("steps / bad samples", f"{streamed['steps']} / {streamed['data']['bad_samples']}", "")
    Console().print(table)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.0f} s")
