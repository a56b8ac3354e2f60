"""Forward+backward time and peak memory of each anyclr loss against LightlySSL's implementation of the same loss.

Not a test: prints a table of ratios measured in the same run (ours / LightlySSL). Targets: no loss more
than 10% slower than LightlySSL's, and NT-Xent at batch 4096 at or below LightlySSL's peak memory.

    python benchmarks/objectives.py --quick          # batch 256 only, few repeats (a smoke run)
    python benchmarks/objectives.py                  # batches 256, 1024, 4096 at dim 128
    python benchmarks/objectives.py --device cuda --json bench-results/objectives.json

Peak memory: on CUDA ``max_memory_allocated`` above the inputs; on CPU each measurement runs in a forked
child and reports its peak resident memory (VmHWM) above its resident memory at the start.
LightlySSL is optional (``pip install lightly``, in the ``bench`` extra); without it only our numbers print.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

Loss = Callable[[list[torch.Tensor]], torch.Tensor]
TIME_TARGET = 1.10


# -- the losses, ours and LightlySSL's, on the same inputs --------------------------------------------------------


def ours(name: str, dim: int, device: torch.device) -> Loss:
    """Return anyclr's loss ``name`` as a function of two embedding batches."""
    from anyclr.losses.queue import Queue
    from anyclr.objectives.align_uniform import AlignUniform
    from anyclr.objectives.barlow import BarlowTwins
    from anyclr.objectives.byol import regression_sums
    from anyclr.objectives.clip import CLIP
    from anyclr.objectives.dcl import DCL
    from anyclr.objectives.debiased import Debiased
    from anyclr.objectives.moco import queue_infonce
    from anyclr.objectives.ntxent import NTXent
    from anyclr.objectives.polyview import PolyView
    from anyclr.objectives.siglip import SigLIP
    from anyclr.objectives.simsiam import negative_cosine_sums
    from anyclr.objectives.supcon import SupCon
    from anyclr.objectives.swav import SwAV
    from anyclr.objectives.vicreg import VICReg

    simple = {
        "ntxent": lambda: NTXent(0.2),
        "dcl": lambda: DCL(0.1),
        "dclw": lambda: DCL(0.1, weighted=True, sigma=0.5),
        "barlow": lambda: BarlowTwins(5e-3),
        "vicreg": lambda: VICReg(),
        "debiased": lambda: Debiased(0.5, 0.1),
        "hcl": lambda: Debiased(0.5, 0.1, beta=1.0),
        "align-uniform": lambda: AlignUniform(),
        "polyview": lambda: PolyView(0.1),
        "clip": lambda: CLIP(),
        "siglip": lambda: SigLIP(),
    }
    if name in simple:
        module = simple[name]().to(device)
        return lambda z: module(z)
    if name == "supcon":
        module = SupCon(0.1).to(device)
        return lambda z: module(z, torch.arange(z[0].shape[0], device=device) % 10)
    if name == "swav":
        torch.manual_seed(0)
        module = SwAV(embed_dim=dim, n_prototypes=512).to(device)
        return lambda z: module(z)
    if name == "moco":
        torch.manual_seed(0)
        queue = Queue(4096, dim, random_init=True).to(device)

        pending: list[torch.Tensor] = []

        def moco(z: list[torch.Tensor]) -> torch.Tensor:
            # LightlySSL's memory bank enqueues inside its loss; MoCo does it after the step, here the
            # previous step's keys at the start of this one (the queue is saved for this step's backward).
            while pending:
                queue.push(pending.pop())
            keys = F.normalize(z[1], dim=1).detach()
            pending.append(keys)
            return queue_infonce(F.normalize(z[0], dim=1), keys, queue.get(), 0.2).mean()

        return moco
    if name == "byol":  # predictions z[0], z[1] against (detached) targets z[1], z[0]
        return lambda z: regression_sums(z, z[::-1]).mean()
    if name == "simsiam":
        return lambda z: negative_cosine_sums(z, z[::-1]).mean()
    raise KeyError(name)


def lightly(name: str, dim: int, device: torch.device) -> Loss | None:
    """Return LightlySSL's implementation of the same loss, or None (not in LightlySSL, or not installed)."""
    try:
        import lightly.loss as ll
    except ImportError:
        return None
    if name == "ntxent":
        module = ll.NTXentLoss(temperature=0.2)
        return lambda z: module(z[0], z[1])
    if name == "dcl":
        module = ll.DCLLoss(temperature=0.1)
        return lambda z: module(z[0], z[1])
    if name == "dclw":
        module = ll.DCLWLoss(temperature=0.1, sigma=0.5)
        return lambda z: module(z[0], z[1])
    if name == "barlow":
        module = ll.BarlowTwinsLoss(lambda_param=5e-3)
        return lambda z: module(z[0], z[1])
    if name == "vicreg":
        module = ll.VICRegLoss()
        return lambda z: module(z[0], z[1])
    if name == "swav":
        torch.manual_seed(0)
        prototypes = torch.nn.Linear(dim, 512, bias=False).to(device)
        with torch.no_grad():  # the same unit-norm prototypes as ours (SwAV re-normalises them after each step)
            prototypes.weight.copy_(F.normalize(prototypes.weight, dim=1))
        module = ll.SwaVLoss(temperature=0.1, sinkhorn_iterations=3, sinkhorn_epsilon=0.05)
        return lambda z: module([prototypes(F.normalize(x, dim=1)) for x in z], [])
    if name == "moco":
        module = ll.NTXentLoss(temperature=0.2, memory_bank_size=(4096, dim)).to(device)
        return lambda z: module(z[0], z[1].detach())
    if name in ("byol", "simsiam"):
        module = ll.NegativeCosineSimilarity()
        return lambda z: 0.5 * (module(z[0], z[1].detach()) + module(z[1], z[0].detach()))
    return None


# What both sides compute, where a loss has options that change the work (printed with the table).
SAME_WORK = {
    "swav": "2 views, 512 unit-norm prototypes, 3 Sinkhorn iterations (eps 0.05), no queue, no multi-crop",
    "moco": "one query view against a 4096-key queue (plus its positive key), keys enqueued inside the timed step",
    "byol": "both view orders (predictions z0, z1 against stop-gradient z1, z0)",
    "simsiam": "both view orders (predictions z0, z1 against stop-gradient z1, z0)",
}

LOSSES = ["ntxent", "dcl", "dclw", "barlow", "vicreg", "swav", "moco", "byol", "simsiam",
          "supcon", "debiased", "hcl", "align-uniform", "polyview", "clip", "siglip"]  # fmt: skip


# -- measuring ----------------------------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _inputs(batch: int, dim: int, device: torch.device) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(batch)
    return [torch.randn(batch, dim, generator=g).to(device).requires_grad_(True) for _ in range(2)]


def _step(loss_fn: Loss, z: list[torch.Tensor]) -> None:
    loss_fn(z).backward()
    for t in z:
        t.grad = None


def time_both(name: str, batch: int, dim: int, device: str, repeats: int, threads: int, min_seconds: float = 0.0) -> dict[str, float]:
    """Median forward+backward milliseconds of ours and LightlySSL's, interleaved so machine noise hits both alike.

    Runs ``repeats`` rounds, or more for fast losses: enough for about ``min_seconds`` per implementation
    (a sub-millisecond step is otherwise at the mercy of a single hiccup of a shared machine).
    """
    torch.set_num_threads(threads)
    dev = torch.device(device)
    fns = {impl: build(name, dim, dev) for impl, build in (("ours", ours), ("lightly", lightly))}
    fns = {k: f for k, f in fns.items() if f is not None}
    z = _inputs(batch, dim, dev)
    times: dict[str, list[float]] = {k: [] for k in fns}

    def timed(fn: Loss) -> float:
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        start = time.perf_counter()
        _step(fn, z)
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        return time.perf_counter() - start

    warm = min(timed(fn) + timed(fn) for fn in fns.values()) / 2  # two warm-up steps each
    rounds = max(repeats, min(int(min_seconds / max(warm, 1e-6)), 100 * repeats))
    for i in range(rounds):
        for impl, fn in fns.items() if i % 2 else reversed(fns.items()):  # alternate who goes first
            times[impl].append(timed(fn))
    return {impl: 1000 * statistics.median(t) for impl, t in times.items()}


def peak_memory(impl: str, name: str, batch: int, dim: int, device: str, threads: int) -> float | None:
    """Peak MiB above the inputs during forward+backward (CUDA allocator peak, or peak RSS on CPU)."""
    torch.set_num_threads(threads)
    dev = torch.device(device)
    fn = (ours if impl == "ours" else lightly)(name, dim, dev)
    if fn is None:
        return None
    z = _inputs(batch, dim, dev)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
        torch.cuda.reset_peak_memory_stats(dev)
        base = torch.cuda.memory_allocated(dev)
    else:
        base = _status_kib("VmRSS") * 1024
    for _ in range(2):
        _step(fn, z)
    peak = (torch.cuda.max_memory_allocated(dev) if dev.type == "cuda" else _status_kib("VmHWM") * 1024) - base
    return max(peak, 0) / 2**20


def _child(conn, fn, *args) -> None:  # noqa: ANN001 - multiprocessing connection
    try:
        conn.send(fn(*args))
    except Exception as exc:  # report instead of hanging the parent
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def isolated(fn: Callable, *args, device: str):
    """Run ``fn(*args)`` in a forked child on CPU (a clean peak-RSS count per run), in-process on CUDA."""
    if device.startswith("cuda") or sys.platform != "linux":
        return fn(*args)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, *args))
    proc.start()
    child.close()
    result = parent.recv()
    proc.join()
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(result["error"])
    return result


# -- report -------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (and targets); return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batch 256 only, 5 repeats, 0.1 s per loss (a smoke run)")
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=10, help="timed rounds at least (more for fast losses, see --min-seconds)")
    parser.add_argument("--min-seconds", type=float, default=0.5, help="time each implementation of a loss at least this long")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=max(torch.get_num_threads(), 1))
    parser.add_argument("--losses", nargs="+", default=LOSSES, choices=LOSSES)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.batches, args.repeats, args.min_seconds = [256], 5, 0.1
    try:
        import lightly

        lightly_version = lightly.__version__
    except ImportError:
        lightly_version = None
        print("LightlySSL is not installed (pip install lightly): printing anyclr's numbers only.")

    print(f"device {args.device}, threads {args.threads}, dim {args.dim}, repeats {args.repeats} (min {args.min_seconds} s), torch {torch.__version__}, lightly {lightly_version}")
    for name in args.losses:
        if name in SAME_WORK and lightly_version:
            print(f"  same work, {name}: {SAME_WORK[name]}")
    header = f"{'loss':<14}{'batch':>6}{'ours ms':>10}{'lightly ms':>12}{'time x':>8}{'ours MiB':>10}{'lightly MiB':>13}{'mem x':>7}"
    print(header)
    print("-" * len(header))
    rows = []
    for name in args.losses:
        for batch in args.batches:
            ms = isolated(time_both, name, batch, args.dim, args.device, args.repeats, args.threads, args.min_seconds, device=args.device)
            mem = {
                impl: isolated(peak_memory, impl, name, batch, args.dim, args.device, args.threads, device=args.device)
                for impl in (("ours", "lightly") if lightly_version else ("ours",))
            }
            a = {"ms": ms["ours"], "mib": mem["ours"]}
            b = {"ms": ms["lightly"], "mib": mem["lightly"]} if "lightly" in ms else None
            row = {"loss": name, "batch": batch, "ours": a, "lightly": b}
            if b:
                row["time_ratio"] = a["ms"] / b["ms"]
                row["memory_ratio"] = a["mib"] / b["mib"] if b["mib"] > 0 else float("nan")
                print(
                    f"{name:<14}{batch:>6}{a['ms']:>10.2f}{b['ms']:>12.2f}{row['time_ratio']:>8.2f}"
                    f"{a['mib']:>10.1f}{b['mib']:>13.1f}{row['memory_ratio']:>7.2f}",
                    flush=True,
                )
            else:
                print(f"{name:<14}{batch:>6}{a['ms']:>10.2f}{'—':>12}{'':>8}{a['mib']:>10.1f}{'—':>13}", flush=True)
            rows.append(row)
    compared = [r for r in rows if "time_ratio" in r]
    if compared:
        slow = [f"{r['loss']}@{r['batch']} ({r['time_ratio']:.2f}x)" for r in compared if r["time_ratio"] > TIME_TARGET]
        print(f"\ntime target (<= {TIME_TARGET:.2f}x LightlySSL): " + ("met" if not slow else "missed by " + ", ".join(slow)))
        nt = [r for r in compared if r["loss"] == "ntxent" and r["batch"] == 4096]
        if nt:
            verdict = "met" if nt[0]["ours"]["mib"] <= nt[0]["lightly"]["mib"] else "missed"
            print(f"NT-Xent @4096 peak memory: {nt[0]['ours']['mib']:.1f} MiB vs LightlySSL {nt[0]['lightly']['mib']:.1f} MiB ({verdict})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"device": args.device, "threads": args.threads, "lightly": lightly_version, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
