"""The training loop: small functions around a :class:`TrainContext` (plain PyTorch, no framework).

Reproducibility: the batch order of epoch ``e`` depends only on ``(seed, e)`` and torch's global RNG is
re-seeded before every step from ``(seed, e, step)``, so views are the same whether a run went straight
through or was resumed at an epoch boundary. On a stream (see :mod:`anyclr.core.stream`) an "epoch" is
``trainer.epoch_steps`` steps between checkpoints, and the checkpoint keeps each worker's stream position.

Budget: ``trainer.max_steps`` (when set) is the number of optimiser steps, whatever the data size; otherwise
``trainer.epochs`` passes over a map-style dataset. A stream needs ``max_steps``.

Distributed (torchrun): every rank takes its ``batch_size / world_size`` share of each global batch and,
after backward, gradients of all encoder and objective parameters are averaged across ranks (what DDP
does, but also correct when an objective calls encoder methods other than ``forward``).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import Dataset

from anyclr.core import checkpoint
from anyclr.core.data import (
    DataBundle,
    DataHealth,
    LoadedBatch,
    LoaderOptions,
    MapLoader,
    batch_order,
    subset,
    to_device,
)
from anyclr.core.device import autocast, to_channels_last
from anyclr.core.distributed import is_distributed, is_main, rank, world_size
from anyclr.core.encoder import Encoder, StreamEncoders
from anyclr.core.errors import AnyclrError
from anyclr.core.evaluation import encoder_features, make_evaluator
from anyclr.core.objective import Objective, check_view_batches, view_batches
from anyclr.core.optim import lr_factor, set_lr, trainable_parameters
from anyclr.core.registry import Registry
from anyclr.core.runlog import RunLog
from anyclr.core.splits import split_indices
from anyclr.core.stream import StreamBatches, StreamPlan, hash_seed
from anyclr.core.views import ViewGenerator

MONITOR_MAX_REFERENCE = 10_000  # caps the kNN monitor's cost on large datasets
MONITOR_MAX_HELD_OUT = 2_000
STREAM_EPOCH_STEPS = 1_000  # steps between checkpoints on a stream unless trainer.epoch_steps says otherwise
DEFAULT_SHUFFLE_BUFFER = 1_000


@dataclass
class Monitor:
    """The online kNN monitor's split of the training set: a held-out part and the reference rest."""

    reference: Dataset
    held_out: Dataset


@dataclass
class TrainContext:
    """Everything a training run is made of; lifecycle hooks receive it."""

    config: dict[str, Any]
    run_dir: Path
    recipe: str
    registry: Registry
    data: DataBundle
    views: ViewGenerator  # or StreamViews: one generator per stream of paired data
    encoder: Encoder  # the module whose weights are saved and evaluated (StreamEncoders for paired data)
    objective: Objective
    optimizer: torch.optim.Optimizer
    device: torch.device
    seed: int
    model: nn.Module  # the encoder as called during training (possibly torch.compile'd)
    amp_dtype: torch.dtype | None = None
    channels_last: bool = False
    steps_per_epoch: int = 1
    total_steps: int = 1
    epochs: int = 1  # epochs the run trains for (the last may be cut short by trainer.max_steps)
    epoch: int = 0  # epochs completed
    step: int = 0  # optimiser steps completed
    loss_history: list[float] = field(default_factory=list)  # mean loss of each completed epoch
    train_seconds: float = 0.0
    samples_seen: int = 0
    log: RunLog | None = None
    monitor: Monitor | None = None
    parameters: list[nn.Parameter] = field(default_factory=list)
    health: DataHealth = field(default_factory=DataHealth)
    loader: MapLoader | None = None  # map-style data: one loader (and its workers) for the whole run
    stream: Iterator[LoadedBatch] | None = None  # streams: the run's batch iterator, opened at the first step
    stream_positions: list[tuple[int, int]] = field(default_factory=list)  # streams: (pass, records read) per reader
    stream_batches: int = 0  # streams: batches this rank took (whose turn it is among the workers)

    @property
    def trainer(self) -> dict[str, Any]:
        """The resolved [trainer] section."""
        return self.config["trainer"]

    def steps_left_in_budget(self) -> int:
        """Return the optimiser steps of the next epoch: a full epoch, or what is left of the budget."""
        return max(min(self.steps_per_epoch, self.total_steps - self.step), 0)

    def plan_epochs(self) -> None:
        """Set ``epochs`` to the epochs done plus those the rest of the budget takes (the last may be short)."""
        left = max(self.total_steps - self.step, 0)
        self.epochs = self.epoch + math.ceil(left / max(self.steps_per_epoch, 1))


# -- seeds and batches ----------------------------------------------------------------------------------------------


def epoch_seed(seed: int, epoch: int) -> int:
    """Return the seed of epoch ``epoch``'s batch order."""
    return hash_seed(seed, epoch)


def step_seed(seed: int, epoch: int, step: int) -> int:
    """Return the seed of torch's global RNG for global step ``step`` (views, dropout, masks)."""
    return hash_seed(seed, epoch, step)


def steps_per_epoch(n: int, batch_size: int, drop_last: bool, max_steps: int = 0) -> int:
    """Return the number of optimiser steps in one epoch over ``n`` samples."""
    if is_distributed() or (drop_last and n >= batch_size):
        steps = max(n // batch_size, 1 if n else 0)
    else:
        steps = math.ceil(n / batch_size)
    return min(steps, max_steps) if max_steps else steps


def epoch_batches(ctx: TrainContext, epoch: int, steps: int) -> Iterator[tuple[Any, torch.Tensor]]:
    """Yield this rank's ``steps`` batches of epoch ``epoch`` (1-based): the epoch's seeded order, or the stream's next."""
    if ctx.data.streaming:
        yield from stream_batches(ctx, steps)
        return
    for batch in map_batches(ctx, epoch, steps):
        ctx.health.record(len(batch.labels), batch.bad)
        if len(batch.labels) == 0:
            if is_distributed():  # skipping the step here alone would leave the ranks' collectives out of step
                raise AnyclrError(
                    f"Every sample of a batch on rank {rank()} could not be decoded ({batch.bad[0].where}: {batch.bad[0].reason}).",
                    "Fix or remove the bad files (see the warnings above).",
                )
            continue  # every sample of the batch was bad: nothing to train on
        yield batch.inputs, batch.labels


def map_batches(ctx: TrainContext, epoch: int, steps: int) -> Iterator[LoadedBatch]:
    """Yield this rank's ``steps`` batches of a map-style dataset's epoch ``epoch``."""
    tc = ctx.trainer
    bs, seed, n = int(tc["batch_size"]), epoch_seed(ctx.seed, epoch), len(ctx.data.train)
    if ctx.loader is None:
        ctx.loader = MapLoader(ctx.data.train, ctx.data.collate, loader_options(ctx))
    ws = world_size()
    if ws == 1:
        chunks = batch_order(n, bs, shuffle=True, seed=seed, drop_last=bool(tc["drop_last"]), max_batches=steps)
    else:
        # Same global order as one process would see; each rank keeps its slice of every full global batch.
        local = bs // ws
        chunks = batch_order(n, bs, shuffle=True, seed=seed, drop_last=True, max_batches=steps)
        chunks = [c[rank() * local : (rank() + 1) * local] for c in chunks]
    return ctx.loader.batches(chunks)


def stream_batches(ctx: TrainContext, steps: int) -> Iterator[tuple[Any, torch.Tensor]]:
    """Yield the next ``steps`` trainable batches of the run's stream (opened once, where the last checkpoint left
    it); batches whose samples were all bad are counted and passed over, so every rank trains ``steps`` steps."""
    if ctx.stream is None:
        ctx.stream = open_stream(ctx)
    done = 0
    while done < steps:
        batch = next(ctx.stream)
        if batch.error is not None:
            raise AnyclrError(*batch.error)
        ctx.stream_batches += 1
        ctx.health.record(len(batch.labels), batch.bad)
        if batch.position is not None:
            ctx.stream_positions[batch.worker] = batch.position
        if len(batch.labels):
            done += 1
            yield batch.inputs, batch.labels


def open_stream(ctx: TrainContext) -> Iterator[LoadedBatch]:
    """Start reading the stream on this rank, each worker skipping the records it consumed before a resume."""
    from torch.utils.data import DataLoader

    tc = ctx.trainer
    workers = max(int(tc["num_workers"]), 1)
    if len(ctx.stream_positions) != workers:
        ctx.stream_positions = [(0, 0)] * workers
    plan = StreamPlan(
        seed=ctx.seed,
        batch_size=int(tc["batch_size"]) // world_size(),
        rank=rank(),
        world=world_size(),
        shuffle_buffer=int(getattr(ctx.data.train, "shuffle_buffer", DEFAULT_SHUFFLE_BUFFER)),
        positions=list(ctx.stream_positions),
        batches_taken=ctx.stream_batches,
        collate=ctx.data.collate,
    )
    loader = DataLoader(StreamBatches(ctx.data.train, plan), batch_size=None, **loader_options(ctx).kwargs())
    return iter(loader)


def loader_options(ctx: TrainContext) -> LoaderOptions:
    """Return the trainer's DataLoader settings (pinned memory on CUDA)."""
    tc = ctx.trainer
    return LoaderOptions(
        num_workers=int(tc["num_workers"]),
        persistent_workers=bool(tc["persistent_workers"]),
        prefetch_factor=int(tc["prefetch_factor"]),
        pin_memory=ctx.device.type == "cuda",
    )


def check_batch_size(ctx: TrainContext) -> None:
    """Raise if the global batch cannot be split evenly across ranks or is larger than the data."""
    bs, ws = int(ctx.trainer["batch_size"]), world_size()
    n = bs if ctx.data.streaming else len(ctx.data.train)
    if bs < 1:
        raise AnyclrError(f"trainer.batch_size must be positive, got {bs}.")
    if ws > 1 and (bs % ws or n < bs):
        raise AnyclrError(
            f"trainer.batch_size = {bs} must be a multiple of the {ws} processes and at most the {n} training samples.",
            f"Use e.g. --set trainer.batch_size={max(ws, (min(bs, n) // ws) * ws)}.",
        )


# -- one step ------------------------------------------------------------------------------------------------------


def average_gradients(params: list[nn.Parameter]) -> None:
    """Average gradients across ranks (one flattened all-reduce)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def train_step(ctx: TrainContext, epoch: int, inputs: Any, labels: torch.Tensor) -> torch.Tensor:
    """Run one optimiser step on a batch; return the (detached, rank-averaged) loss without syncing the device."""
    tc = ctx.trainer
    # Ranks draw different views (offset by rank); rank 0 draws exactly what a single process would.
    torch.manual_seed((step_seed(ctx.seed, epoch, ctx.step) + 7919 * rank()) % (2**63 - 1))
    set_lr(ctx.optimizer, float(tc["lr"]) * lr_factor(ctx.step, ctx.total_steps, warmup_steps(ctx), float(tc["final_lr_ratio"])))
    inputs = to_device(inputs, ctx.device, non_blocking=True)
    labels = torch.as_tensor(labels).to(ctx.device, non_blocking=True)
    views = ctx.views(inputs)
    if ctx.channels_last:
        views = to_channels_last(views)
    with autocast(ctx.device, ctx.amp_dtype), view_batches(str(tc["view_batches"])):
        loss = ctx.objective.training_step(views, ctx.model, labels)
    ctx.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    loss = loss.detach().float()
    if is_distributed():
        average_gradients(ctx.parameters)
        dist.all_reduce(loss)
        loss /= world_size()
    if float(tc["grad_clip"]) > 0:
        torch.nn.utils.clip_grad_norm_(ctx.parameters, float(tc["grad_clip"]))
    ctx.optimizer.step()
    ctx.step += 1
    ctx.objective.after_step(ctx.encoder, min(ctx.step / max(ctx.total_steps, 1), 1.0))
    return loss


def warmup_steps(ctx: TrainContext) -> int:
    """Return the number of linear warm-up steps: ``warmup_epochs`` epochs (on a stream, where an epoch is only
    the checkpoint interval, an epoch counts as at most a tenth of ``max_steps``)."""
    epoch = min(ctx.steps_per_epoch, max(ctx.total_steps // 10, 1)) if ctx.data.streaming else ctx.steps_per_epoch
    return int(round(float(ctx.trainer["warmup_epochs"]) * epoch))


def current_lr(ctx: TrainContext) -> float:
    """Return the learning rate of the optimiser's first group."""
    return float(ctx.optimizer.param_groups[0]["lr"])


def non_finite_error(ctx: TrainContext, epoch: int, step_in_epoch: int, loss: float) -> AnyclrError:
    """Build the error for a NaN/inf loss, naming where it happened and what to try."""
    kept = f"the checkpoint of epoch {ctx.epoch} is kept" if ctx.epoch else "no checkpoint was written"
    sets = f"--set trainer.lr={float(ctx.trainer['lr']) / 10:g}" + (" --set trainer.grad_clip=1.0" if not float(ctx.trainer["grad_clip"]) else "")
    if ctx.epoch:
        hint = f"Continue from that checkpoint with a lower learning rate: anyclr train --resume {ctx.run_dir} {sets}"
    else:
        hint = f"Start again with a lower learning rate: {sets} (and --overwrite to reuse {ctx.run_dir})"
    return AnyclrError(
        f"Training stopped: the loss became {loss} at epoch {epoch}, step {step_in_epoch} of the epoch "
        f"(global step {ctx.step}); {kept} in {checkpoint.checkpoint_dir(ctx.run_dir)}.",
        hint + ".",
    )


# -- epochs ---------------------------------------------------------------------------------------------------------


def run_epoch(ctx: TrainContext, epoch: int, bar: ProgressBar) -> dict[str, float]:
    """Train one epoch; return its metrics (mean loss, lr, samples/s, seconds)."""
    ctx.encoder.train()
    ctx.objective.train()
    ctx.views.train()
    log_every = max(int(ctx.trainer["log_every"]), 1)
    losses: list[float] = []
    samples = 0
    steps = ctx.steps_left_in_budget()
    start = time.perf_counter()
    for i, (inputs, labels) in enumerate(epoch_batches(ctx, epoch, steps), start=1):
        loss_t = train_step(ctx, epoch, inputs, labels)
        loss = loss_t.item()  # after the step was queued, so the device keeps busy while we wait
        if not math.isfinite(loss):
            raise non_finite_error(ctx, epoch, i, loss)
        batch = int(torch.as_tensor(labels).shape[0]) * world_size()
        samples += batch
        losses.append(loss)
        elapsed = time.perf_counter() - start
        sps = samples / elapsed if elapsed > 0 else 0.0
        bar.update(epoch, loss, current_lr(ctx), sps)
        if ctx.log is not None and (ctx.step % log_every == 0 or i in (1, steps)):
            ctx.log.log({"kind": "step", "step": ctx.step, "epoch": epoch, "loss": loss, "lr": current_lr(ctx), "samples_per_second": sps})
        ctx.registry.call_lifecycle("anyclr_step_end", context=ctx, step=ctx.step, loss=loss)
    if ctx.device.type == "cuda":
        torch.cuda.synchronize(ctx.device)
    seconds = time.perf_counter() - start
    if not losses:
        raise AnyclrError(f"Epoch {epoch} had no batch to train on: every sample read was bad.", "Fix or remove the bad files (see the warnings above).")
    ctx.train_seconds += seconds
    ctx.samples_seen += samples
    mean = float(sum(losses) / len(losses))
    return {"loss": mean, "lr": current_lr(ctx), "samples_per_second": samples / seconds if seconds else 0.0, "seconds": seconds}


def fit(ctx: TrainContext, progress: bool = True) -> None:
    """Train from ``ctx.epoch`` to ``ctx.epochs``, checkpointing and logging every epoch."""
    ctx.registry.call_lifecycle("anyclr_train_start", context=ctx)
    knn_every = int(ctx.trainer["knn_every"])
    ctx.plan_epochs()  # from where this run starts: a resumed run may have a longer budget
    with ProgressBar(ctx, enabled=progress and is_main()) as bar:
        while ctx.step < ctx.total_steps:
            epoch = ctx.epoch + 1
            metrics = run_epoch(ctx, epoch, bar)
            if ctx.monitor is not None and knn_every > 0 and (epoch % knn_every == 0 or epoch == ctx.epochs):
                metrics.update(knn_monitor(ctx))
            ctx.epoch = epoch
            ctx.loss_history.append(metrics["loss"])
            save_checkpoint(ctx)
            if ctx.log is not None:
                ctx.log.log({"kind": "epoch", "step": ctx.step, "epoch": epoch, **metrics})
            bar.epoch_done(epoch, metrics)
            ctx.registry.call_lifecycle("anyclr_epoch_end", context=ctx, epoch=epoch, metrics=metrics)
    ctx.loader = ctx.stream = None  # the DataLoader workers exit before evaluation starts its own
    ctx.health.absorb(all_ranks_health(ctx))
    ctx.health.check()


# -- monitor --------------------------------------------------------------------------------------------------------


def make_monitor(registry: Registry, bundle: DataBundle, trainer_cfg: dict[str, Any], seed: int) -> Monitor | None:
    """Return the kNN monitor split when it can run (labels, a 'knn' evaluator, knn_every > 0), else None."""
    fraction = float(trainer_cfg["monitor_fraction"])
    if int(trainer_cfg["knn_every"]) <= 0 or not 0 < fraction < 1 or not registry.has("evaluator", "knn"):
        return None
    if bundle.streaming or not bundle.has_labels() or len(bundle.train) < 4:
        return None
    rest, held = split_indices(bundle.labels("train"), fraction, seed)
    g = torch.Generator().manual_seed(seed)
    if len(rest) > MONITOR_MAX_REFERENCE:
        rest = rest[torch.randperm(len(rest), generator=g)[:MONITOR_MAX_REFERENCE]].sort().values
    if len(held) > MONITOR_MAX_HELD_OUT:
        held = held[torch.randperm(len(held), generator=g)[:MONITOR_MAX_HELD_OUT]].sort().values
    return Monitor(reference=subset(bundle.train, rest), held_out=subset(bundle.train, held))


def knn_monitor(ctx: TrainContext) -> dict[str, float]:
    """Return the kNN accuracy of the held-out monitor split against the rest (main process only)."""
    if ctx.monitor is None or not is_main():
        return {}
    kw = {
        "batch_size": int(ctx.config["eval"]["batch_size"]),
        "device": ctx.device,
        "collate": ctx.data.collate,
        "num_workers": int(ctx.trainer["num_workers"]),
        "amp_dtype": ctx.amp_dtype,
        "channels_last": ctx.channels_last,
    }
    rng_state = torch.get_rng_state()
    ref = encoder_features(ctx.encoder, ctx.monitor.reference, **kw)
    held = encoder_features(ctx.encoder, ctx.monitor.held_out, **kw)
    torch.set_rng_state(rng_state)
    result = make_evaluator(ctx.registry, "knn", ctx.config["eval"])(ref[0], ref[1], held[0], held[1])
    return {k: float(v) for k, v in result.items()}


# -- checkpoints ----------------------------------------------------------------------------------------------------


def training_state(ctx: TrainContext, shared: dict[str, Any]) -> dict[str, Any]:
    """Return everything but the weights needed to resume exactly (``shared``: what every rank contributed)."""
    state: dict[str, Any] = {
        "epoch": ctx.epoch,
        "step": ctx.step,
        "recipe": ctx.recipe,
        "seed": ctx.seed,
        "optimizer": ctx.optimizer.state_dict(),
        "loss_history": list(ctx.loss_history),
        "train_seconds": ctx.train_seconds,
        "samples_seen": ctx.samples_seen,
        "torch_rng": torch.get_rng_state(),
        "bad_examples": list(ctx.health.examples),
        **shared,
    }
    if ctx.device.type == "cuda":
        state["cuda_rng"] = torch.cuda.get_rng_state(ctx.device)
    return state


def ranks_state(ctx: TrainContext) -> dict[str, Any]:
    """Gather, from every rank, what each must get back on resume: sample counts and (streams) reader positions.

    Every rank must call this (it is a collective), one row per rank.
    """
    shared = {"health_ranks": all_ranks_health(ctx)}
    if ctx.data.streaming:
        shared["stream_positions"] = _gather_rows(ctx, [list(p) for p in ctx.stream_positions])
        shared["stream_batches"] = [row[0] for row in _gather_rows(ctx, [ctx.stream_batches])]
    return shared


def all_ranks_health(ctx: TrainContext) -> list[list[int]]:
    """Return ``[good, bad]`` sample counts of every rank."""
    return _gather_rows(ctx, [ctx.health.good, ctx.health.bad])


def _gather_rows(ctx: TrainContext, row: Any) -> list[Any]:
    """Return ``row`` (numbers, or lists of numbers of one shape on every rank) from every rank, in rank order."""
    mine = torch.tensor(row, dtype=torch.long, device=ctx.device)  # on the device: NCCL gathers only there
    if not is_distributed():
        return [mine.tolist()]
    from anyclr.core.distributed import gather_no_grad

    return gather_no_grad(mine[None]).cpu().tolist()


def save_checkpoint(ctx: TrainContext) -> None:
    """Write the epoch's checkpoint (main process), then let the other ranks continue."""
    shared = ranks_state(ctx)
    if is_main():
        checkpoint.save(ctx.run_dir, {"encoder": ctx.encoder, "objective": ctx.objective}, training_state(ctx, shared))
    if is_distributed():
        dist.barrier()


def restore_checkpoint(ctx: TrainContext, run_dir: Path) -> None:
    """Load the run's last checkpoint into ``ctx`` (weights, optimiser, counters, RNG)."""
    weights, state = checkpoint.load(run_dir)
    source = checkpoint.checkpoint_dir(run_dir) / checkpoint.WEIGHTS
    checkpoint.restore(ctx.encoder, weights, "encoder", source)
    checkpoint.restore(ctx.objective, weights, "objective", source)
    try:
        ctx.optimizer.load_state_dict(state["optimizer"])
    except (ValueError, KeyError) as exc:
        raise AnyclrError(f"Optimizer state in {checkpoint.checkpoint_dir(run_dir) / checkpoint.STATE} does not fit: {exc}") from None
    ctx.epoch, ctx.step = int(state["epoch"]), int(state["step"])
    ctx.loss_history = [float(x) for x in state.get("loss_history", [])]
    ctx.train_seconds = float(state.get("train_seconds", 0.0))
    ctx.samples_seen = int(state.get("samples_seen", 0))
    health = state.get("health_ranks") or [[0, 0]]
    mine = health[rank()] if rank() < len(health) else [0, 0]
    ctx.health.good, ctx.health.bad = int(mine[0]), int(mine[1])
    ctx.health.examples = [str(x) for x in state.get("bad_examples", [])]
    if ctx.data.streaming:
        rows = state.get("stream_positions") or [[]]
        workers = max(int(ctx.trainer["num_workers"]), 1)
        if len(rows) != world_size() or len(rows[0]) != workers:
            raise AnyclrError(
                f"Cannot resume {run_dir} exactly: it read its stream with {len(rows)} process(es) × {len(rows[0])} reader(s) "
                f"(trainer.num_workers), not {world_size()} × {workers}.",
                "Resume with the same number of processes and trainer.num_workers.",
            )
        ctx.stream_positions = [(int(p), int(n)) for p, n in rows[rank()]]
        ctx.stream_batches = int((state.get("stream_batches") or [0] * world_size())[rank()])
    if "torch_rng" in state:
        torch.set_rng_state(state["torch_rng"])
    if "cuda_rng" in state and ctx.device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda_rng"], ctx.device)


# -- building the context -------------------------------------------------------------------------------------------


def make_context(
    *,
    config: dict[str, Any],
    run_dir: Path,
    recipe: str,
    registry: Registry,
    data: DataBundle,
    views: ViewGenerator,
    encoder: Encoder,
    objective: Objective,
    device: torch.device,
    amp_dtype: torch.dtype | None,
    channels_last: bool,
    log: RunLog | None,
) -> TrainContext:
    """Move the model to the device, bind the objective, build the optimiser, and return the context."""
    from anyclr.core.optim import make_optimizer

    tc = config["trainer"]
    check_view_batches(tc["view_batches"])  # now, not on the first step
    if is_distributed() and bool(tc["sync_batchnorm"]) and device.type == "cuda":
        encoder = nn.SyncBatchNorm.convert_sync_batchnorm(encoder)
    encoder.to(device)
    if channels_last:
        encoder.to(memory_format=torch.channels_last)
    objective.to(device)
    views.to(device)
    objective.bind(encoder)
    objective.to(device)  # bind may have built target networks or predictors
    optimizer = make_optimizer(tc["optimizer"], [encoder, objective], float(tc["lr"]), float(tc["weight_decay"]), float(tc["momentum"]))
    model: nn.Module = compiled(encoder) if bool(tc["compile"]) else encoder
    ctx = TrainContext(
        config=config, run_dir=run_dir, recipe=recipe, registry=registry, data=data, views=views, encoder=encoder,
        objective=objective, optimizer=optimizer, device=device, seed=int(tc["seed"]), model=model,
        amp_dtype=amp_dtype, channels_last=channels_last, log=log,
        parameters=[p for _, p in trainable_parameters(encoder, objective)],
    )
    check_batch_size(ctx)
    ctx.health = DataHealth(data.max_bad_fraction)
    set_budget(ctx)
    ctx.monitor = make_monitor(registry, data, tc, ctx.seed)
    return ctx


def compiled(encoder: nn.Module) -> nn.Module:
    """Return ``torch.compile(encoder)``; one compiled encoder per stream for paired data."""
    if isinstance(encoder, StreamEncoders):
        return StreamEncoders({name: torch.compile(e) for name, e in encoder.items()})
    return torch.compile(encoder)


def set_budget(ctx: TrainContext) -> None:
    """Set steps per epoch, total steps and epochs from trainer.max_steps (or trainer.epochs) and the data."""
    tc = ctx.trainer
    max_steps = int(tc["max_steps"])
    if ctx.data.streaming:
        if max_steps <= 0:
            raise AnyclrError(
                "This dataset is a stream (no length), so trainer.epochs cannot say how long to train.",
                "Set a number of optimiser steps, e.g. --set trainer.max_steps=10000.",
            )
        ctx.steps_per_epoch = int(tc["epoch_steps"]) or min(max_steps, STREAM_EPOCH_STEPS)
        ctx.stream_positions = [(0, 0)] * max(int(tc["num_workers"]), 1)
    else:
        ctx.steps_per_epoch = steps_per_epoch(
            len(ctx.data.train), int(tc["batch_size"]), bool(tc["drop_last"]), int(tc["max_steps_per_epoch"])
        )
    ctx.total_steps = max_steps if max_steps > 0 else max(ctx.steps_per_epoch * int(tc["epochs"]), 1)
    ctx.plan_epochs()


# -- progress -------------------------------------------------------------------------------------------------------


class ProgressBar:
    """A rich progress bar over all remaining steps showing loss, lr and samples/s (a no-op when disabled)."""

    def __init__(self, ctx: TrainContext, enabled: bool = True) -> None:
        self.ctx = ctx
        self.progress: Any = None
        self.lines = False  # one plain line per epoch where a live bar cannot render (logs, CI)
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        if not (console.is_terminal or console.is_jupyter):
            self.lines = True
            return
        self.progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}/{task.fields[epochs]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}  lr {task.fields[lr]:.2e}  {task.fields[sps]:.0f} samples/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )

    def __enter__(self) -> ProgressBar:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task(
                "train", total=self.ctx.total_steps, completed=self.ctx.step, epoch=self.ctx.epoch + 1,
                epochs=self.ctx.epochs, loss=float("nan"), lr=current_lr(self.ctx), sps=0.0,
            )
        return self

    def update(self, epoch: int, loss: float, lr: float, sps: float) -> None:
        """Advance one step."""
        if self.progress is not None:
            self.progress.update(self.task, completed=self.ctx.step, epoch=epoch, loss=loss, lr=lr, sps=sps)

    def epoch_done(self, epoch: int, metrics: dict[str, float]) -> None:
        """Print the epoch's metrics as one line when there is no live bar."""
        if self.lines:
            extra = "".join(f"  {k} {v:.4f}" for k, v in metrics.items() if k not in ("loss", "lr", "samples_per_second", "seconds"))
            print(
                f"epoch {epoch}/{self.ctx.epochs}  loss {metrics['loss']:.4f}  lr {metrics['lr']:.2e}  "
                f"{metrics['samples_per_second']:.0f} samples/s  {metrics['seconds']:.1f}s{extra}",
                file=sys.stderr,
                flush=True,
            )

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.stop()
