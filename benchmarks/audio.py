"""The audio recipes on the bundled espeak-ng spoken digits: learned vs random-init vs MFCC, over seeds.

Not a test: trains each recipe (``audio-byola``, ``audio-cola``, ``audio-simclr`` by default) with 3 seeds
through ``anyclr.api.train`` on 2 torch threads, and prints linear-probe and kNN accuracy (mean ± std) on the
held-out voices for

- learned: the trained encoder;
- random init: the same encoder at its initial weights (same run);
- MFCC: the classical baseline, mean and std of 20 MFCCs with deltas, through the same probes (same run);

and each run's CPU seconds (user + system, training and evaluation). Targets: the best recipe's linear
accuracy ≥ the MFCC baseline's, and every recipe's linear accuracy above its random-init encoder's by more
than 2 standard deviations (the larger of the two over seeds).

    python benchmarks/audio.py --quick                 # 1 seed, 3 steps per recipe: a smoke run
    python benchmarks/audio.py                         # 3 seeds of each recipe (run it alone on the machine)
    python benchmarks/audio.py --recipes audio-byola --seeds 5 --json bench-results/audio.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

RECIPES = ("audio-byola", "audio-cola", "audio-simclr")
ROWS = (("learned", "learned"), ("random init", "random_init"), ("MFCC", "raw_input"))
METRICS = ("linear_top1", "knn_top1")


def registry() -> Any:
    """The installed plug-ins, with the audio plug-in registered in-process if its entry point is not installed."""
    import anyclr.plugins.audio.plugin as audio
    from anyclr.core.registry import Registry

    found = Registry()
    if any(c.name == "spoken-digits" for c in found.components("dataset")):
        return found
    return Registry(extra_plugins=[("audio", audio)])


def run(recipe: str, seed: int, overrides: list[str], root: Path, reg: Any) -> dict[str, Any]:
    """Train and evaluate one recipe with one seed; return its metrics per row and its CPU seconds."""
    from anyclr.api import train

    start_cpu, start = time.process_time(), time.perf_counter()
    summary = train(recipe, [f"trainer.seed={seed}", *overrides], run_dir=root / f"{recipe}-seed{seed}", progress=False, print_table=False, registry=reg)
    rows = {"learned": summary["metrics"], **summary["baselines"]}
    return {
        "rows": {row: {m: float(rows[row][m]) for m in METRICS} for row in rows},
        "cpu_s": time.process_time() - start_cpu,
        "wall_s": time.perf_counter() - start,
        "steps": summary["steps"],
    }


def stats(values: list[float]) -> tuple[float, float]:
    """Return mean and (sample) standard deviation (0 for one value)."""
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 3 steps, a small set: a smoke run")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (trainer.threads; default 2)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="extra recipe overrides (key=value)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    seeds = 1 if args.quick else args.seeds
    overrides = [f"trainer.threads={args.threads}", "eval.plots=false", *args.overrides]
    if args.quick:
        overrides += ["trainer.max_steps=3", "data.voices=8", "data.renditions=1", "trainer.batch_size=16"]
    reg = registry()
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="anyclr-audio-bench-") as tmp:
        for recipe in args.recipes:
            results[recipe] = []
            for seed in range(seeds):
                out = run(recipe, seed, overrides, Path(tmp), reg)
                results[recipe].append(out)
                learned = out["rows"]["learned"]
                print(f"{recipe} seed {seed}: linear {learned['linear_top1']:.4f} kNN {learned['knn_top1']:.4f}  {out['cpu_s']:.0f} CPU s", flush=True)
    report(results, seeds)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"seeds": seeds, "overrides": overrides, "results": results}, indent=2))


def report(results: dict[str, list[dict[str, Any]]], seeds: int) -> None:
    """Print the table and whether the targets are met."""
    print(f"\nespeak-ng spoken digits, held-out voices, {seeds} seed(s); accuracy mean ± std")
    print(f"{'recipe':16}{'encoder':14}{'linear':>18}{'kNN':>18}{'CPU s/run':>12}")
    summary: dict[str, dict[str, tuple[float, float]]] = {}
    for recipe, runs in results.items():
        cpu = statistics.fmean(r["cpu_s"] for r in runs)
        for label, key in ROWS:
            cells = {m: stats([r["rows"][key][m] for r in runs]) for m in METRICS}
            summary[f"{recipe}/{key}"] = cells
            lin, knn = cells["linear_top1"], cells["knn_top1"]
            print(f"{recipe:16}{label:14}{lin[0]:>11.4f} ± {lin[1]:.4f}{knn[0]:>11.4f} ± {knn[1]:.4f}{cpu if key == 'learned' else float('nan'):>12.0f}")
    best = max(results, key=lambda r: summary[f"{r}/learned"]["linear_top1"][0])
    mfcc = max(summary[f"{r}/raw_input"]["linear_top1"][0] for r in results)
    checks = [(f"best recipe ({best}) linear {summary[f'{best}/learned']['linear_top1'][0]:.4f} >= MFCC {mfcc:.4f}", summary[f"{best}/learned"]["linear_top1"][0] >= mfcc)]
    for recipe in results:
        (lm, ls), (rm, rs) = summary[f"{recipe}/learned"]["linear_top1"], summary[f"{recipe}/random_init"]["linear_top1"]
        margin = 2 * max(ls, rs)
        checks.append((f"{recipe}: learned {lm:.4f} > random init {rm:.4f} by more than 2 std ({margin:.4f})", lm - rm > margin))
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")


if __name__ == "__main__":
    main()
