"""The library API: ``train`` a recipe, ``evaluate`` a finished run, ``embed`` data with a trained encoder.

>>> import anyclr
>>> summary = anyclr.train("image-simclr", ["trainer.epochs=1"])   # doctest: +SKIP
>>> summary["metrics"]["knn_top1"]                                    # doctest: +SKIP
"""

from __future__ import annotations

import copy
import json
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from anyclr.core import checkpoint, rundir
from anyclr.core.build import build_all_encoders, build_all_views, build_dataset, build_objective
from anyclr.core.components import accepts_any_keyword
from anyclr.core.config import apply_overrides, dumps, load, loads, resolve
from anyclr.core.data import DataBundle, is_stream, metadata_of
from anyclr.core.device import autocast_dtype, init_process_group, select_device, set_threads, use_channels_last
from anyclr.core.distributed import is_distributed, is_main, world_size
from anyclr.core.encoder import Encoder
from anyclr.core.errors import AnyclrError
from anyclr.core.evaluation import (
    check_eval_split,
    check_protocols,
    encoder_features,
    evaluate_encoder,
    indexed,
    results_table,
    verdict,
)
from anyclr.core.registry import Registry, get_registry
from anyclr.core.rundir import CONFIG, SUMMARY
from anyclr.core.runlog import RunLog, plot_embedding, plot_loss, read_metrics
from anyclr.core.trainer import TrainContext, fit, make_context, restore_checkpoint
from anyclr.core.writing import writing

DEFAULT_RECIPE = "image-simclr"
# What --resume may change: the length of the run, and optimiser values that the checkpoint does not pin
# (the learning rate is set every step; clipping acts on each step's gradients), so the NaN hint "resume
# with a lower trainer.lr" works. Other values would silently mix two configurations in one run.
RESUMABLE_KEYS = ("trainer.epochs", "trainer.max_steps", "trainer.lr", "trainer.grad_clip", "trainer.num_workers", "trainer.threads")


def train(
    recipe: str | None = None,
    overrides: Sequence[str] = (),
    *,
    run_dir: str | Path | None = None,
    resume: str | Path | None = None,
    overwrite: bool = False,
    seed: int | None = None,
    device: str | None = None,
    progress: bool = True,
    registry: Registry | None = None,
    print_table: bool = True,
) -> dict[str, Any]:
    """Train ``recipe`` (a registered name or a .toml path; default image-simclr), evaluate it, print and return the summary.

    ``overrides`` are ``section.key=value`` strings; ``seed``/``device`` override ``trainer.seed``/``trainer.device``.
    ``run_dir`` must be new or empty unless ``overwrite=True`` replaces the anyclr run in it (default: runs/<recipe>-<time>).
    ``resume=DIR`` continues the run in DIR from its last checkpoint (overrides may only change :data:`RESUMABLE_KEYS`).
    ``progress`` shows a live bar on a terminal (one line per epoch elsewhere); False shows neither.
    ``print_table=False`` leaves out the results table at the end (the summary is still returned and saved).
    """
    registry = registry or get_registry()
    if resume is not None:
        recipe_name, cfg, out_dir = _resume_config(Path(resume), overrides, seed, device)
        rundir.check_resume_arguments(out_dir, recipe_name, recipe, run_dir, overwrite)
    else:
        recipe_name, cfg = load(str(recipe or DEFAULT_RECIPE), registry)
        sets = [*overrides, *([f"trainer.seed={int(seed)}"] if seed is not None else [])]
        cfg = resolve(apply_overrides(cfg, sets))
        if device is not None:
            cfg["trainer"]["device"] = str(device)
        out_dir = None
    check_protocols(registry, cfg["eval"])  # fail on a typo now, not after hours of training
    dev = select_device(cfg["trainer"]["device"])
    init_process_group(dev)
    previous_threads = set_threads(dev, int(cfg["trainer"]["threads"]))
    try:
        # Build everything first: a bad name or key must not leave an empty run folder behind.
        parts = build_parts(registry, cfg, int(cfg["trainer"]["seed"]))
        check_protocols(registry, cfg["eval"], paired=bool(parts.data.streams))
        check_eval_split(parts.data, cfg["eval"], int(cfg["trainer"]["seed"]))
        with rundir.claim(recipe_name, run_dir, overwrite=overwrite, resume=out_dir) as folder, writing(folder.path):
            if is_main():
                text = dumps(cfg)
                checkpoint.atomic_write(folder.path / CONFIG, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
            return _train(registry, recipe_name, cfg, parts, folder.path, dev, resume is not None, progress, print_table)
    finally:
        if previous_threads is not None:
            torch.set_num_threads(previous_threads)


def _train(
    registry: Registry,
    recipe: str,
    cfg: dict[str, Any],
    parts: Parts,
    run_dir: Path,
    dev: torch.device,
    resuming: bool,
    progress: bool,
    print_table: bool = True,
) -> dict[str, Any]:
    initial = copy.deepcopy(parts.encoder) if "random_init" in cfg["eval"]["baselines"] else None
    amp = autocast_dtype(dev, cfg["trainer"]["precision"])
    channels_last = use_channels_last(dev, cfg["trainer"]["channels_last"])
    log = RunLog(run_dir)
    try:
        ctx = make_context(
            config=cfg, run_dir=run_dir, recipe=recipe, registry=registry, data=parts.data, views=parts.views,
            encoder=parts.encoder, objective=parts.objective, device=dev, amp_dtype=amp, channels_last=channels_last, log=log,
        )
        if resuming:
            restore_checkpoint(ctx, run_dir)
            log.truncate_after(ctx.step)
        fit(ctx, progress=progress)
    finally:
        log.close()
    summary: dict[str, Any] = {}
    if is_main():
        summary = _evaluate_and_summarise(ctx, initial, amp, channels_last)
        _write_json(run_dir / SUMMARY, summary)
        if print_table:
            _print_table(summary)
    summary = _shared(summary)
    registry.call_lifecycle("anyclr_train_end", context=ctx, summary=summary)
    return summary


def _evaluate_and_summarise(ctx: TrainContext, initial: Encoder | None, amp: Any, channels_last: bool) -> dict[str, Any]:
    cfg = ctx.config
    result = evaluate_encoder(
        ctx.registry, cfg, ctx.data, ctx.encoder, device=ctx.device, initial=initial, amp_dtype=amp, channels_last=channels_last
    )
    if bool(cfg["eval"]["plots"]):
        plot_loss(read_metrics(ctx.run_dir), ctx.run_dir / "plots" / "loss.png")
        test_x, test_y = result["test_features"]
        plot_embedding(test_x, test_y, ctx.run_dir / "plots" / "embedding.png", seed=ctx.seed)
    judged = verdict(result)
    return {
        "recipe": ctx.recipe,
        "epochs": ctx.epoch,
        "steps": ctx.step,
        "train_seconds": round(ctx.train_seconds, 3),
        "samples_per_second": round(ctx.samples_seen / ctx.train_seconds, 2) if ctx.train_seconds > 0 else 0.0,
        "final_loss": ctx.loss_history[-1] if ctx.loss_history else None,
        "loss_history": ctx.loss_history,
        "metrics": result["metrics"],
        "baselines": result["baselines"],
        "notes": judged.pop("notes") + result["notes"] + _data_notes(ctx),
        "verdict": judged,
        "data": ctx.health.summary(),
        "device": str(ctx.device) + (f" x{world_size()}" if is_distributed() else ""),
        "world_size": world_size(),
        "seed": ctx.seed,
        "run_dir": str(ctx.run_dir),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "torch": torch.__version__,
        "config": cfg,
    }


def _data_notes(ctx: TrainContext) -> list[str]:
    """Notes on the training data: samples skipped because they could not be decoded."""
    h = ctx.health
    notes = []
    if ctx.data.info.get("skipped_files"):
        notes.append(f"{ctx.data.info['skipped_files']} undecodable file(s) were left out when the data was read")
    if h.bad:
        first = f" (first: {h.examples[0]})" if h.examples else ""
        notes.append(f"{h.bad} of {h.good + h.bad} training samples could not be decoded and were skipped{first}")
    return notes


def evaluate(run_dir: str | Path, protocol: str = "all", registry: Registry | None = None, print_table: bool = False) -> dict[str, Any]:
    """Re-load a run's config and weights and re-run its evaluation (``protocol``: all or one evaluator name).

    Returns ``{recipe, epochs, metrics, baselines, notes, device, seed, run_dir}``; ``print_table`` also prints it.
    """
    registry = registry or get_registry()
    run_dir = Path(run_dir)
    recipe, cfg = _run_config(run_dir)
    protocols = check_protocols(registry, cfg["eval"]) if protocol == "all" else [registry.get("evaluator", protocol).name]
    dev = select_device(cfg["trainer"]["device"])
    seed = int(cfg["trainer"]["seed"])
    bundle, encoder, initial = _trained_encoder(registry, cfg, run_dir, seed, baselines="random_init" in cfg["eval"]["baselines"])
    amp = autocast_dtype(dev, cfg["trainer"]["precision"])
    channels_last = use_channels_last(dev, cfg["trainer"]["channels_last"])
    encoder.to(dev)
    result = evaluate_encoder(registry, cfg, bundle, encoder, device=dev, initial=initial, protocols=protocols, amp_dtype=amp, channels_last=channels_last)
    _, state = checkpoint.load(run_dir)
    out = {
        "recipe": recipe,
        "epochs": int(state["epoch"]),
        "metrics": result["metrics"],
        "baselines": result["baselines"],
        "notes": result["notes"],
        "device": str(dev),
        "seed": seed,
        "run_dir": str(run_dir),
    }
    if print_table:
        _print_table(out)
    return out


def embed(
    run_dir: str | Path,
    out: str | Path,
    data_path: str | None = None,
    overrides: Sequence[str] = (),
    registry: Registry | None = None,
    encoder: str | None = None,
) -> Path:
    """Write backbone representations of the train then test split to ``out`` (.npy [N, D] float32, or .parquet).

    For a run with one encoder per stream, ``encoder`` names the stream to embed (its own data and encoder).
    """
    registry = registry or get_registry()
    if Path(out).is_dir() or str(out).endswith(("/", os.sep)):
        raise AnyclrError(f"Cannot write embeddings to {out}: it is a folder.", f"Give a file name, e.g. --out {Path(out) / 'embeddings.npy'}.")
    out = Path(out)
    if out.suffix not in (".npy", ".parquet"):
        raise AnyclrError(f"Cannot write embeddings to {out}: unknown extension {out.suffix or '(none)'}.", "Use a .npy or .parquet file name.")
    run_dir = Path(run_dir)
    _, cfg = _run_config(run_dir)
    cfg, prefix = _one_stream(cfg, encoder, run_dir)
    if data_path is not None:
        _check_takes_path(registry, cfg, run_dir)
    sets = list(overrides) + ([f"data.path={json.dumps(str(data_path))}"] if data_path is not None else [])
    for item in sets:
        if not item.split("=", 1)[0].strip().startswith("data."):
            raise AnyclrError(f"embed only accepts data.* overrides, got {item!r}.", "The encoder must stay as trained.")
    cfg = resolve(apply_overrides(cfg, sets))
    dev = select_device(cfg["trainer"]["device"])
    bundle, encoder, _ = _trained_encoder(registry, cfg, run_dir, int(cfg["trainer"]["seed"]), baselines=False, prefix=prefix)
    encoder.to(dev)
    kw = {
        "batch_size": int(cfg["eval"]["batch_size"]),
        "device": dev,
        "collate": bundle.collate,
        "num_workers": int(cfg["trainer"]["num_workers"]),
        "amp_dtype": autocast_dtype(dev, cfg["trainer"]["precision"]),
        "channels_last": use_channels_last(dev, cfg["trainer"]["channels_last"]),
    }
    splits = [("train", bundle.train)] + ([("test", bundle.test)] if bundle.test is not None else [])
    feats, labels, names, index = [], [], [], []
    for name, ds in splits:
        if is_stream(ds):  # one ordered pass; its labels come with the samples
            x, y = encoder_features(encoder, ds, **kw)
            idx = np.arange(len(x))
        else:  # features carry sample indices, so a sample left out (undecodable) shifts no row
            x, idx = encoder_features(encoder, indexed(ds), **kw)
            y = metadata_of(ds)["label"].numpy()[idx]
        feats.append(x)
        labels.append(y)
        names += [name] * len(x)
        index.append(idx)
    x = np.concatenate(feats).astype(np.float32)
    with writing(out, "the embeddings"):
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".npy":
            np.save(out, x)
        else:
            _write_parquet(out, x, names, np.concatenate(index), np.concatenate(labels))
    return out


def shard(
    dataset: str,
    out: str | Path,
    samples_per_shard: int = 10_000,
    overrides: Sequence[str] = (),
    workers: int = 0,
    progress: bool = True,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Write the registered dataset ``dataset`` (with ``data.*`` overrides) to WebDataset tar shards in ``out``.

    Train with them through ``data.name = "shards"`` and ``data.path = out`` (a stream: set ``trainer.max_steps``).
    Returns samples, shards and bytes per split, and the samples/s of writing.
    """
    from anyclr.shards.writer import write_shards

    registry = registry or get_registry()
    for item in overrides:
        if not item.split("=", 1)[0].strip().startswith("data."):
            raise AnyclrError(f"shard only accepts data.* overrides, got {item!r}.", "e.g. --set data.image_size=32")
    cfg = apply_overrides({"data": {"name": dataset}}, list(overrides))
    bundle = build_dataset(registry, cfg)
    return write_shards(bundle, out, samples_per_shard, dataset=dataset, workers=workers, progress=progress)


def _check_takes_path(registry: Registry, cfg: dict[str, Any], run_dir: Path) -> None:
    """Raise if ``embed --data`` cannot apply: the run's dataset reads no file (has no ``path`` parameter)."""
    name = cfg["data"]["name"]
    component = registry.get("dataset", name)
    accepted = component.parameters()
    if "path" not in accepted and not accepts_any_keyword(component.factory):
        settable = ", ".join(f"data.{k}" for k in accepted) or "none"
        raise AnyclrError(
            f"--data cannot be used with {run_dir}: its dataset {name!r} reads no files (it has no data.path).",
            f"Leave out --data to embed the run's own data; the dataset's settings ({settable}) change with --set data.KEY=VALUE.",
        )


# -- helpers --------------------------------------------------------------------------------------------------------


@dataclass
class Parts:
    """A recipe's built components."""

    data: DataBundle
    views: Any
    encoder: Encoder
    objective: Any


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (model initialisation, dataset splits)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_parts(registry: Registry, cfg: dict[str, Any], seed: int) -> Parts:
    """Build dataset, views, encoder and objective; the encoder's initial weights depend only on ``seed``."""
    data, views, encoder = build_encoder_only(registry, cfg, seed, with_views=True)
    objective = build_objective(registry, cfg, data.info, encoder)
    return Parts(data, views, encoder, objective)


def build_encoder_only(registry: Registry, cfg: dict[str, Any], seed: int, with_views: bool = False) -> tuple[DataBundle, Any, Encoder]:
    """Build the dataset (and views), then seed and build the encoder exactly as training did."""
    seed_everything(seed)
    data = build_dataset(registry, cfg)
    views = build_all_views(registry, cfg, data) if with_views else None
    seed_everything(seed)
    encoder = build_all_encoders(registry, cfg, data)
    return data, views, encoder


def _trained_encoder(
    registry: Registry, cfg: dict[str, Any], run_dir: Path, seed: int, baselines: bool, prefix: str = "encoder"
) -> tuple[DataBundle, Encoder, Encoder | None]:
    bundle, _, encoder = build_encoder_only(registry, cfg, seed)
    initial = copy.deepcopy(encoder) if baselines else None
    path = checkpoint.checkpoint_dir(run_dir) / checkpoint.WEIGHTS
    checkpoint.restore(encoder, checkpoint.load_weights(path), prefix, path)
    return bundle, encoder, initial


def _one_stream(cfg: dict[str, Any], stream: str | None, run_dir: Path) -> tuple[dict[str, Any], str]:
    """Return the config of one stream of a paired run (its data, views and encoder) and its weights' prefix."""
    from anyclr.core.config import stream_tables
    from anyclr.core.errors import unknown_name

    encoders = stream_tables(cfg, "encoder")
    if not encoders:
        if stream is not None:
            raise AnyclrError(f"--encoder {stream}: {run_dir} trained a single encoder.", "Leave out --encoder.")
        return cfg, "encoder"
    if stream is None:
        raise AnyclrError(f"{run_dir} trained one encoder per stream ({', '.join(encoders)}).", f"Pick one with --encoder, e.g. --encoder {next(iter(encoders))}.")
    if stream not in encoders:
        raise unknown_name(f"encoder of {run_dir}:", stream, encoders)
    one = {**cfg, "data": cfg["data"][stream], "views": cfg["views"][stream], "encoder": encoders[stream]}
    return one, f"encoder.{stream}"


def _run_config(run_dir: Path) -> tuple[str, dict[str, Any]]:
    path = run_dir / CONFIG
    if not path.is_file():
        raise AnyclrError(f"{run_dir} is not an anyclr run folder: {path} is missing.", "Pass the folder `anyclr train` printed.")
    cfg = resolve(loads(path.read_text(encoding="utf-8"), str(path)))
    recipe = None
    summary = run_dir / SUMMARY
    if summary.is_file():
        recipe = json.loads(summary.read_text(encoding="utf-8")).get("recipe")
    if recipe is None:
        state_path = checkpoint.checkpoint_dir(run_dir) / checkpoint.STATE
        recipe = checkpoint.load_state(state_path).get("recipe") if state_path.is_file() else None
    return str(recipe or run_dir.name), cfg


def _resume_config(run_dir: Path, overrides: Sequence[str], seed: int | None, device: str | None) -> tuple[str, dict[str, Any], Path]:
    for item in overrides:
        key = item.split("=", 1)[0].strip()
        if key not in RESUMABLE_KEYS:
            raise AnyclrError(
                f"Cannot change {key!r} when resuming {run_dir}: only {', '.join(RESUMABLE_KEYS)} may change.",
                "Start a new run to change anything else.",
            )
    state_path = checkpoint.checkpoint_dir(run_dir) / checkpoint.STATE
    if not state_path.is_file():
        raise AnyclrError(f"Cannot resume {run_dir}: {state_path} is missing.", "Resume a folder written by `anyclr train`.")
    recipe, cfg = _run_config(run_dir)
    state = checkpoint.load_state(state_path)
    cfg = resolve(apply_overrides(cfg, list(overrides)))
    if seed is not None and int(seed) != int(cfg["trainer"]["seed"]):
        raise AnyclrError(f"Cannot change the seed when resuming {run_dir} (it was {cfg['trainer']['seed']}).")
    if device is not None:
        cfg["trainer"]["device"] = str(device)
    max_steps = int(cfg["trainer"]["max_steps"])
    if max_steps > 0 and max_steps < int(state["step"]):
        raise AnyclrError(
            f"Cannot resume {run_dir} for trainer.max_steps = {max_steps}: it has already trained {state['step']} steps.",
            f"Set trainer.max_steps to {state['step']} or more.",
        )
    if max_steps <= 0 and int(cfg["trainer"]["epochs"]) < int(state["epoch"]):
        raise AnyclrError(
            f"Cannot resume {run_dir} for {cfg['trainer']['epochs']} epochs: it has already trained {state['epoch']}.",
            f"Set trainer.epochs to {state['epoch']} or more.",
        )
    return str(state.get("recipe") or recipe), cfg, run_dir


def _shared(obj: Any) -> Any:
    """Return rank 0's ``obj`` on every rank (run folder names, summaries)."""
    if not is_distributed():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def _write_json(path: Path, obj: Any) -> None:
    from anyclr.core.checkpoint import atomic_write

    text = json.dumps(obj, indent=2, default=str)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))


def _write_parquet(path: Path, x: np.ndarray, split: list[str], index: np.ndarray, label: np.ndarray) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise AnyclrError("Writing .parquet needs pyarrow.", "pip install pyarrow, or write .npy instead.") from None
    columns = {"split": pa.array(split), "index": pa.array(index), "label": pa.array(label)}
    for j in range(x.shape[1]):
        columns[f"f{j}"] = pa.array(x[:, j])
    pq.write_table(pa.table(columns), str(path))


def _print_table(summary: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console()
    console.print(results_table(summary))
    for note in summary.get("notes", []):
        console.print(f"[dim]note: {note}[/dim]")
    if summary.get("run_dir"):
        console.print(f"run folder: {summary['run_dir']}")
