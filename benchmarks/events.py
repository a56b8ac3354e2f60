"""Benchmark: anyclr's events-coles recipe against pytorch-lifestream's CoLES on the bundled transactions.

Both read the same files (the simulated transactions, ``anyclr`` cache: ``train.parquet``, ``test.parquet``,
``labels.csv``), train a GRU of the same width on the same CoLES slices (5 per client, the recipe's lengths)
with the same batch size, epochs, learning rate and optimiser (Adam), and embed every client's full history.
The same probes (anyclr's ``linear`` and ``gbdt`` evaluators) score both labels: ``segment`` (4 classes) and
``churn``. anyclr's run also scores its baselines through the same probes: the GRU at its random initial
weights, and the hand-made per-client aggregates (counts per category, amount mean/std/sum, event count,
activity span) — the classical baseline the CoLES paper compares against.

Inputs: pytorch-lifestream gets ``mcc`` and ``channel`` embeddings (16 each), the amount through its ``log``
transform, and hour and weekday as categorical fields (4 each); anyclr's encoder has the same, plus the
log-gap since the previous event (its time encoding, part of the recipe).

Fit time is wall-clock: anyclr's ``train_seconds`` (the training loop) against Lightning's ``trainer.fit``
for pytorch-lifestream (its data module and loop). Run it alone on the machine.

    python benchmarks/events.py               # 3 seeds, the recipe's budget (minutes per seed on 2 cores)
    python benchmarks/events.py --quick       # smoke run: 1 seed, 1 epoch, 200 clients

pytorch-lifestream is the PyPI package ``pytorch-lifestream`` (``pip install 'anyclr[bench]'``; or
``pip install --no-deps pytorch-lifestream pytorch-lightning lightning-utilities torchmetrics``). Modules it
imports but this benchmark never uses (transformers, duckdb, pymonad, omegaconf) are shimmed here, at import.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import json
import statistics
import sys
import tempfile
import time
import types
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

RECIPE = "events-coles"
LABELS = ("label", "churn")
PROBES = ("linear", "gbdt")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    p.add_argument("--epochs", type=int, default=0, help="epochs for both (0 = the recipe's)")
    p.add_argument("--clients", type=int, default=3000, help="training clients of the simulated set (test: a third)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads for both")
    p.add_argument("--no-reference", action="store_true", help="skip pytorch-lifestream")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a key of anyclr's recipe")
    p.add_argument("--quick", action="store_true", help="smoke run: seed 0, 1 epoch, 200 clients")
    p.add_argument("--out", default="bench-results/events.json", help="where to write all results as JSON")
    args = p.parse_args(argv)
    if args.quick:
        args.seeds, args.epochs, args.clients = "0", 1, 200
    return args


def recipe() -> dict[str, Any]:
    """Return the recipe's resolved settings."""
    from anyclr.core.config import loads, resolve
    from anyclr.core.registry import get_registry

    return resolve(loads(get_registry().recipe(RECIPE).text()))


# -- anyclr ---------------------------------------------------------------------------------------------------------


def run_ours(seed: int, epochs: int, clients: int, threads: int, extra: list[str]) -> dict[str, Any]:
    """Train the recipe; return its probes (learned, random_init, raw_input) and fit time."""
    import anyclr

    overrides = [
        f"data.clients={clients}", f"data.test_clients={clients // 3}", f"trainer.epochs={epochs}", f"trainer.threads={threads}",
        "eval.protocols=['linear', 'gbdt']", "eval.plots=false", *extra,
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        summary = anyclr.train(RECIPE, overrides, seed=seed, run_dir=Path(tmp) / "run", progress=False, print_table=False)
    return {
        "fit_seconds": summary["train_seconds"],
        "learned": summary["metrics"],
        "random_init": summary["baselines"].get("random_init", {}),
        "aggregates": summary["baselines"].get("raw_input", {}),
    }


# -- pytorch-lifestream ---------------------------------------------------------------------------------------------


def shim_lifestream_imports() -> None:
    """Stand in for modules pytorch-lifestream imports at the top of files this benchmark never calls."""

    class Missing:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise ImportError("not installed: shimmed by benchmarks/events.py")

    def stub(name: str, **attrs: Any) -> None:
        if name in sys.modules:
            return
        try:
            __import__(name)
            return
        except ImportError:
            pass
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            stub(parent)
            setattr(sys.modules[parent], child, module)

    stub("transformers", GPT2Config=Missing, GPT2Model=Missing, LongformerConfig=Missing, LongformerModel=Missing)
    stub("duckdb")
    stub("pymonad.either", Either=Missing)
    stub("pymonad.maybe", Maybe=Missing)
    stub("omegaconf", ListConfig=list, DictConfig=dict, OmegaConf=Missing, Container=Missing)


def lifestream_records(folder: Path, name: str, vocab: dict[str, dict[Any, int]] | None) -> tuple[list[dict[str, Any]], dict[str, dict[Any, int]]]:
    """Read ``name``.parquet into pytorch-lifestream's records (one dict of tensors per client, sorted by time)."""
    import pandas as pd

    events = pd.read_parquet(folder / f"{name}.parquet").sort_values(["client_id", "event_time"], kind="stable")
    seconds = events.event_time.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9
    events["hour"] = (seconds // 3600 % 24).astype(np.int64) + 1
    events["weekday"] = ((seconds // 86400 + 3) % 7).astype(np.int64) + 1
    if vocab is None:  # fitted on the training clients; 0 = unknown
        vocab = {c: {v: i + 1 for i, v in enumerate(sorted(events[c].unique()))} for c in ("mcc", "channel")}
    for c in ("mcc", "channel"):
        events[c] = events[c].map(vocab[c]).fillna(0).astype(np.int64)
    records = []
    for client, rows in events.groupby("client_id", sort=True):
        records.append({
            "client_id": int(client),
            "event_time": torch.from_numpy(rows.event_time.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9),
            "mcc": torch.from_numpy(rows.mcc.to_numpy()), "channel": torch.from_numpy(rows.channel.to_numpy()),
            "hour": torch.from_numpy(rows.hour.to_numpy()), "weekday": torch.from_numpy(rows.weekday.to_numpy()),
            "amount": torch.from_numpy(rows.amount.to_numpy(dtype=np.float32)),
        })  # fmt: skip
    return records, vocab


def run_lifestream(seed: int, epochs: int, clients: int, threads: int, cfg: dict[str, Any]) -> dict[str, Any]:
    """Train pytorch-lifestream's CoLES with the recipe's settings; return the same probes and its fit time."""
    shim_lifestream_imports()
    import pandas as pd
    import pytorch_lightning as pl
    from ptls.data_load.datasets import MemoryMapDataset
    from ptls.data_load.utils import collate_feature_dict
    from ptls.frames import PtlsDataModule
    from ptls.frames.coles import ColesDataset, CoLESModule
    from ptls.frames.coles.split_strategy import SampleSlices
    from ptls.nn import RnnSeqEncoder, TrxEncoder

    from anyclr.plugins.events.datasets.bundled import transactions_folder

    torch.set_num_threads(threads)
    pl.seed_everything(seed, workers=True)
    folder = transactions_folder(clients, clients // 3, 0)
    train, vocab = lifestream_records(folder, "train", None)
    test, _ = lifestream_records(folder, "test", vocab)
    views, encoder, trainer_cfg = cfg["views"], cfg["encoder"], cfg["trainer"]
    cat = int(encoder.get("cat_dim", 16))
    trx = TrxEncoder(
        embeddings={
            "mcc": {"in": len(vocab["mcc"]) + 1, "out": cat}, "channel": {"in": len(vocab["channel"]) + 1, "out": cat},
            "hour": {"in": 25, "out": 4}, "weekday": {"in": 8, "out": 4},
        },
        numeric_values={"amount": "log"},
    )  # fmt: skip
    seq_encoder = RnnSeqEncoder(trx_encoder=trx, hidden_size=int(encoder.get("hidden", 256)), type="gru")
    model = CoLESModule(
        seq_encoder=seq_encoder,
        optimizer_partial=partial(torch.optim.Adam, lr=float(trainer_cfg["lr"]), weight_decay=float(trainer_cfg["weight_decay"])),
        lr_scheduler_partial=partial(torch.optim.lr_scheduler.StepLR, step_size=30, gamma=0.9),
    )
    splitter = SampleSlices(split_count=int(views.get("n_views", 5)), cnt_min=int(views.get("min_len", 25)), cnt_max=int(views.get("max_len", 200)))
    data = PtlsDataModule(
        train_data=ColesDataset(MemoryMapDataset(data=train), splitter=splitter),
        train_batch_size=int(trainer_cfg["batch_size"]), train_num_workers=0,
    )  # fmt: skip
    trainer = pl.Trainer(
        max_epochs=epochs, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
    )  # fmt: skip
    start = time.perf_counter()
    trainer.fit(model, data)
    fit = time.perf_counter() - start

    @torch.no_grad()
    def embed(records: list[dict[str, Any]]) -> np.ndarray:
        seq_encoder.eval()
        out = [seq_encoder(collate_feature_dict(records[i : i + 512])).numpy() for i in range(0, len(records), 512)]
        return np.concatenate(out)

    labels = pd.read_csv(folder / "labels.csv").set_index("client_id")
    ids_tr, ids_te = [r["client_id"] for r in train], [r["client_id"] for r in test]
    x_tr, x_te = embed(train), embed(test)
    columns = {"label": "segment", "churn": "churn"}
    metrics = probe(x_tr, x_te, {k: labels.loc[ids_tr, c].to_numpy() for k, c in columns.items()}, {k: labels.loc[ids_te, c].to_numpy() for k, c in columns.items()})
    return {"fit_seconds": fit, "learned": metrics}


def probe(x_tr: np.ndarray, x_te: np.ndarray, y_tr: dict[str, np.ndarray], y_te: dict[str, np.ndarray]) -> dict[str, float]:
    """Score features with anyclr's linear and gbdt evaluators, per label column (named as in anyclr's summary)."""
    from anyclr.evaluators.gbdt import gbdt
    from anyclr.evaluators.linear import linear

    out = {}
    for key in LABELS:
        prefix = "" if key == "label" else f"{key}/"
        for evaluator in (linear(), gbdt()):
            out.update({prefix + k: v for k, v in evaluator(x_tr, y_tr[key], x_te, y_te[key]).items()})
    return out


# -- report ---------------------------------------------------------------------------------------------------------


def mean_std(values: list[float]) -> tuple[float, float]:
    """Return the mean and (sample) standard deviation; 0 for one value."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def report(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Return the table's lines: accuracy (mean ± std over seeds) per label and probe, fit time, targets."""
    ours, ref = results["anyclr"], results.get("lifestream", [])
    fmt = lambda m, s: f"{m:.4f} ± {s:.4f}"  # noqa: E731
    lines = [f"{'metric':<22} {'anyclr':>17} {'lifestream':>17} {'random init':>17} {'aggregates':>17}  targets"]
    for key in LABELS:
        for p in PROBES:
            metric = ("" if key == "label" else f"{key}/") + f"{p}_top1"
            a = mean_std([r["learned"][metric] for r in ours])
            r0 = mean_std([r["random_init"][metric] for r in ours])
            agg = mean_std([r["aggregates"][metric] for r in ours])
            row = f"{metric.replace('label', 'segment'):<22} {fmt(*a):>17} "
            targets = []
            if ref:
                b = mean_std([r["learned"][metric] for r in ref])
                row += f"{fmt(*b):>17} "
                targets.append(f">= lifestream {'met' if a[0] >= b[0] else 'MISSED'}")
            else:
                row += f"{'—':>17} "
            margin = a[0] - r0[0] > 2 * max(a[1], r0[1])
            targets.append(f"> random init + 2 std {'met' if margin else 'MISSED'}")
            lines.append(row + f"{fmt(*r0):>17} {fmt(*agg):>17}  " + "; ".join(targets))
    fit = mean_std([r["fit_seconds"] for r in ours])
    line = f"{'fit seconds':<22} {fmt(*fit):>17} "
    if ref:
        ref_fit = mean_std([r["fit_seconds"] for r in ref])
        ratio = fit[0] / ref_fit[0]
        line += f"{fmt(*ref_fit):>17}   ratio {ratio:.2f}x (target <= 0.5x: {'met' if ratio <= 0.5 else 'MISSED'})"
    lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = recipe()
    epochs = args.epochs or int(cfg["trainer"]["epochs"])
    seeds = [int(s) for s in args.seeds.split(",")]
    results: dict[str, list[dict[str, Any]]] = {"anyclr": []}
    for seed in seeds:
        results["anyclr"].append(run_ours(seed, epochs, args.clients, args.threads, args.overrides))
        print(f"anyclr seed {seed}: {json.dumps(results['anyclr'][-1])}", flush=True)
        if not args.no_reference:
            results.setdefault("lifestream", []).append(run_lifestream(seed, epochs, args.clients, args.threads, cfg))
            print(f"lifestream seed {seed}: {json.dumps(results['lifestream'][-1])}", flush=True)
    lines = report(results)
    print(f"\n{RECIPE} vs pytorch-lifestream CoLES — {args.clients} clients, {epochs} epochs, seeds {args.seeds}, {args.threads} threads")
    print("\n".join(lines))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "results": results, "table": lines}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
