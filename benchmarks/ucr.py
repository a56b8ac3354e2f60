"""Benchmark: anyclr's timeseries-ts2vec recipe against the reference TS2Vec code on UCR/UEA sets.

Both train on the same arrays (anyclr's loader: aeon's bundled sets, channel z-normalised), with the
same seeds, and are scored by the same protocol (anyclr's ``svm`` evaluator: TS2Vec's RBF SVM with C
chosen by 5-fold CV when the training set allows) on max-pooled full-series representations. The
randomly initialised encoder of the same architecture (the run's ``random_init`` baseline) is scored
too: random convolutional features are strong on UCR, so the learned encoder has to beat them.

Fit time is wall-clock: the reference's ``TS2Vec.fit`` against anyclr's ``train_seconds`` (the
training loop only; building, checkpointing and evaluation are excluded, as they are for the
reference). Run it alone on the machine: a second busy process makes torch's threads thrash.

    python benchmarks/ucr.py                 # 4 datasets x 3 seeds (tens of minutes on 2 CPU cores)
    python benchmarks/ucr.py --quick         # a smoke run: 1 small dataset, 1 seed, few iterations

The reference is the PyPI package ``ts2vec`` (``pip install 'anyclr[bench]'``, or
``pip install --no-deps ts2vec bottleneck``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

DATASETS = ("GunPoint", "ArrowHead", "ItalyPowerDemand", "BasicMotions")
RECIPE = "timeseries-ts2vec"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated bundled UCR/UEA names")
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    p.add_argument("--iters", type=int, default=0, help="anyclr's optimiser steps (0 = as many as the recipe trains GunPoint for)")
    p.add_argument("--ref-iters", type=int, default=200, help="the reference's iterations (TS2Vec's default for small sets: 200)")
    p.add_argument("--batch-size", type=int, default=8, help="batch size of both (TS2Vec's default: 8)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads for both (0 = torch's default)")
    p.add_argument("--no-reference", action="store_true", help="skip the reference (e.g. ts2vec not installed)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key of anyclr's recipe (repeatable), e.g. --set trainer.lr=2e-3")
    p.add_argument("--quick", action="store_true", help="smoke run: ItalyPowerDemand, seed 0, 20 iterations each")
    p.add_argument("--out", default="bench-results/ucr.json", help="where to write all results as JSON")
    args = p.parse_args(argv)
    if args.quick:
        args.datasets, args.seeds, args.iters, args.ref_iters = "ItalyPowerDemand", "0", 20, 20
    return args


def recipe_steps(batch_size: int) -> int:
    """Return the optimiser steps the recipe takes on its own dataset (GunPoint): epochs x steps per epoch."""
    from anyclr.core.config import loads
    from anyclr.core.registry import get_registry
    from anyclr.plugins.timeseries.datasets.ucr import load_ucr

    cfg = loads(get_registry().recipe(RECIPE).text())
    n = len(load_ucr(cfg["data"]["name"]).train)
    return int(cfg["trainer"]["epochs"]) * (n // batch_size)


def run_ours(
    name: str, seed: int, iters: int, batch_size: int, threads: int, n_train: int, extra: list[str] | None = None
) -> dict[str, Any]:
    """Train the recipe on ``name`` for about ``iters`` steps (whole epochs); return accuracies and fit time."""
    import anyclr

    epochs = max(1, math.ceil(iters / max(n_train // batch_size, 1)))
    overrides = [
        f"data.name={name}",
        f"trainer.epochs={epochs}",
        f"trainer.batch_size={batch_size}",
        f"trainer.threads={threads}",
        'eval.protocols=["svm"]',
        'eval.baselines=["random_init"]',
        "eval.plots=false",
        *(extra or []),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        s = anyclr.train(RECIPE, overrides, run_dir=Path(tmp) / "run", seed=seed, device="cpu", progress=False, print_table=False)
    return {
        "acc": s["metrics"]["svm_top1"],
        "random_init": s["baselines"]["random_init"]["svm_top1"],
        "fit_seconds": s["train_seconds"],
        "steps": s["steps"],
    }


def run_reference(data: dict[str, np.ndarray], seed: int, iters: int, batch_size: int) -> dict[str, Any]:
    """Train the reference TS2Vec as its train.py does (same seeding) and score it with anyclr's svm."""
    from ts2vec import TS2Vec

    from anyclr.evaluators.svm import svm

    random.seed(seed)  # TS2Vec's init_dl_program: random, then numpy, then torch, each seed + 1
    np.random.seed(seed + 1)
    torch.manual_seed(seed + 2)
    model = TS2Vec(input_dims=data["x_train"].shape[-1], device="cpu", batch_size=batch_size, lr=0.001, output_dims=320, max_train_length=3000)
    start = time.perf_counter()
    model.fit(data["x_train"].copy(), n_iters=iters)
    fit = time.perf_counter() - start
    train = model.encode(data["x_train"], encoding_window="full_series")
    test = model.encode(data["x_test"], encoding_window="full_series")
    return {"acc": svm()(train, data["y_train"], test, data["y_test"])["svm_top1"], "fit_seconds": fit, "steps": iters}


def arrays(name: str) -> dict[str, np.ndarray]:
    """The dataset as anyclr's recipe sees it ([N, T, C] float, NaN = missing, channel z-normalised)."""
    from anyclr.plugins.timeseries.datasets.ucr import load_ucr

    b = load_ucr(name)
    return {
        "x_train": b.train.x.numpy().astype(np.float64),
        "y_train": b.train.y.numpy(),
        "x_test": b.test.x.numpy().astype(np.float64),
        "y_test": b.test.y.numpy(),
    }


def mean_std(values: list[float]) -> str:
    if not values:
        return "—"
    sd = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def report(results: list[dict[str, Any]], datasets: list[str], reference: bool) -> dict[str, Any]:
    """Print the per-dataset table and the targets; return the aggregates."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="UCR/UEA: anyclr timeseries-ts2vec vs reference TS2Vec (svm_top1, mean ± std over seeds)")
    for col in ("dataset", "anyclr", "reference", "random init", "anyclr fit s", "reference fit s", "fit ratio"):
        table.add_column(col, justify="right" if col != "dataset" else "left")
    agg: dict[str, Any] = {"datasets": {}}
    for name in datasets:
        rows = [r for r in results if r["dataset"] == name]
        ours = [r["ours"]["acc"] for r in rows]
        rand = [r["ours"]["random_init"] for r in rows]
        ref = [r["reference"]["acc"] for r in rows if "reference" in r]
        fo = statistics.mean(r["ours"]["fit_seconds"] for r in rows)
        fr = statistics.mean(r["reference"]["fit_seconds"] for r in rows) if ref else float("nan")
        agg["datasets"][name] = {"ours": ours, "reference": ref, "random_init": rand, "fit_ours": fo, "fit_reference": fr}
        table.add_row(name, mean_std(ours), mean_std(ref), mean_std(rand), f"{fo:.1f}", f"{fr:.1f}" if ref else "—", f"{fo / fr:.2f}" if ref else "—")
    d = agg["datasets"].values()
    agg["mean_ours"] = statistics.mean(statistics.mean(v["ours"]) for v in d)
    agg["mean_random_init"] = statistics.mean(statistics.mean(v["random_init"]) for v in d)
    agg["fit_ours"] = sum(v["fit_ours"] for v in d)
    if reference:
        agg["mean_reference"] = statistics.mean(statistics.mean(v["reference"]) for v in d)
        agg["fit_reference"] = sum(v["fit_reference"] for v in d)
        agg["fit_ratio"] = agg["fit_ours"] / agg["fit_reference"]
        table.add_row(
            "mean / total", f"{agg['mean_ours']:.3f}", f"{agg['mean_reference']:.3f}", f"{agg['mean_random_init']:.3f}",
            f"{agg['fit_ours']:.1f}", f"{agg['fit_reference']:.1f}", f"{agg['fit_ratio']:.2f}", style="bold",
        )
    console = Console(width=max(Console().width, 132))
    console.print(table)
    if reference:
        checks = [
            ("mean accuracy >= reference", agg["mean_ours"] >= agg["mean_reference"]),
            ("mean accuracy > random init", agg["mean_ours"] > agg["mean_random_init"]),
            ("fit time <= 0.5 x reference", agg["fit_ratio"] <= 0.5),
        ]
        for text, ok in checks:
            console.print(f"{'[green]PASS' if ok else '[red]FAIL'}[/] {text}")
    return agg


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    datasets = [d for d in args.datasets.split(",") if d]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    reference = not args.no_reference
    if reference:
        try:
            import ts2vec  # noqa: F401
        except ImportError:
            print("The reference needs the ts2vec package: pip install 'anyclr[bench]' (or --no-reference).", file=sys.stderr)
            return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    # Both fits create an AdamW, whose first creation imports torch._dynamo (seconds): do it before any timing.
    torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))])
    iters = args.iters or recipe_steps(args.batch_size)
    print(f"anyclr: about {iters} steps per dataset (whole epochs); reference: {args.ref_iters} iterations; "
          f"batch {args.batch_size}; {torch.get_num_threads()} threads", flush=True)
    results = []
    for name in datasets:
        data = arrays(name)
        for seed in seeds:
            row: dict[str, Any] = {"dataset": name, "seed": seed}
            row["ours"] = run_ours(name, seed, iters, args.batch_size, args.threads, len(data["y_train"]), args.overrides)
            if reference:
                row["reference"] = run_reference(data, seed, args.ref_iters, args.batch_size)
            results.append(row)
            print(json.dumps(row), flush=True)
    agg = report(results, datasets, reference)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "iters": iters, "results": results, "summary": agg}, indent=2) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
