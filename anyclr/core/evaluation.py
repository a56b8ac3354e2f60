"""Evaluation: frozen features of the train/test splits, the recipe's protocols on them, and baselines.

Protocols are the registry's ``evaluator`` components, called with the ``eval.<protocol>_<param>`` keys.
Baselines put the learned encoder in context: ``random_init`` (the same architecture with its initial
weights) and ``raw_input`` (the inputs themselves, flattened, or the bundle's ``raw_features``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from anyclr.core.components import accepts_any_keyword
from anyclr.core.config import EVAL_DEFAULTS
from anyclr.core.data import DataBundle, iter_batches, subset, to_device
from anyclr.core.device import autocast, to_channels_last
from anyclr.core.errors import AnyclrError, closest
from anyclr.core.registry import Registry
from anyclr.core.splits import split_indices

TEST_FRACTION = 0.25


def eval_splits(bundle: DataBundle, seed: int = 0) -> tuple[Dataset, Dataset]:
    """Return (train, test); without a test split, hold out a stratified 25% of train (seed-fixed)."""
    if bundle.test is not None and len(bundle.test) > 0:
        return bundle.train, bundle.test
    train_idx, test_idx = split_indices(bundle.labels("train"), TEST_FRACTION, seed)
    return subset(bundle.train, train_idx), subset(bundle.train, test_idx)


def check_eval_split(bundle: DataBundle, eval_cfg: dict[str, Any], seed: int = 0) -> None:
    """Raise now, before training, if evaluation cannot hold out a test part whose classes the probes see."""
    if not eval_cfg.get("protocols") or (bundle.test is not None and len(bundle.test) > 0):
        return
    y = bundle.labels("train").numpy()
    rest, held = split_indices(y, TEST_FRACTION, seed, what="the evaluation's test fraction")
    if len(y) and (y >= 0).all():
        unseen = sorted(set(y[held.numpy()].tolist()) - set(y[rest.numpy()].tolist()))
        if unseen:
            shown = ", ".join(str(c) for c in unseen[:10]) + (" …" if len(unseen) > 10 else "")
            raise AnyclrError(
                f"Cannot evaluate: the dataset has no test split, and its {len(y)} training samples cannot give a "
                f"held-out {TEST_FRACTION:.0%} whose classes also remain for the probes (no class has 2 or more "
                f"samples; held-out class ids: {shown}).",
                "Give the dataset a separate test split, add samples (2 or more per class), or train without "
                "evaluation (--set eval.protocols=[]). If every sample has its own label, check how labels are read.",
            )


@torch.no_grad()
def extract(
    fn: Callable[[Any], torch.Tensor],
    ds: Dataset,
    *,
    batch_size: int,
    device: torch.device | str = "cpu",
    collate: Any = None,
    num_workers: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``fn`` to every batch of ``ds`` (in order) and return (features [N, D] float32, labels [N])."""
    feats: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for inputs, y in iter_batches(ds, batch_size, collate=collate, num_workers=num_workers):
        out = fn(to_device(inputs, device))
        feats.append(out.detach().float().reshape(out.shape[0], -1).cpu().numpy())
        labels.append(torch.as_tensor(y).cpu().numpy())
    if not feats:
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
    return np.concatenate(feats).astype(np.float32, copy=False), np.concatenate(labels).astype(np.int64, copy=False)


def encoder_features(
    encoder: nn.Module,
    ds: Dataset,
    *,
    batch_size: int,
    device: torch.device,
    collate: Any = None,
    num_workers: int = 0,
    amp_dtype: torch.dtype | None = None,
    channels_last: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``encoder.represent`` features of ``ds`` in eval mode, without gradients."""
    was_training = encoder.training
    encoder.eval()

    def fn(inputs: Any) -> torch.Tensor:
        if channels_last:
            inputs = to_channels_last(inputs)
        with autocast(device, amp_dtype):
            return encoder.represent(inputs)

    try:
        return extract(fn, ds, batch_size=batch_size, device=device, collate=collate, num_workers=num_workers)
    finally:
        encoder.train(was_training)


def raw_input_features(bundle: DataBundle, ds: Dataset, batch_size: int, num_workers: int = 0) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the raw-input baseline features (``bundle.raw_features`` or flattened tensors), None if impossible."""
    def fn(inputs: Any) -> torch.Tensor:
        if bundle.raw_features is not None:
            return bundle.raw_features(inputs)
        if not isinstance(inputs, torch.Tensor):
            raise _NotTensor
        return inputs.reshape(inputs.shape[0], -1).float()

    try:
        return extract(fn, ds, batch_size=batch_size, collate=bundle.collate, num_workers=num_workers)
    except _NotTensor:
        return None


class _NotTensor(Exception):
    pass


def protocol_params(eval_cfg: dict[str, Any], protocol: str, known: list[str]) -> dict[str, Any]:
    """Return the ``eval.<protocol>_<param>`` keys for ``protocol`` (the longest matching protocol name wins)."""
    out: dict[str, Any] = {}
    names = sorted(set(known) | {protocol}, key=len, reverse=True)
    for key, value in eval_cfg.items():
        if key in EVAL_DEFAULTS:
            continue
        owner = next((n for n in names if key.startswith(n + "_")), None)
        if owner == protocol:
            out[key[len(protocol) + 1 :]] = value
    return out


def check_protocols(registry: Registry, eval_cfg: dict[str, Any]) -> list[str]:
    """Return eval.protocols after checking them before training, not after.

    Each protocol must name a registered evaluator, every other ``eval.*`` key must be
    ``eval.<evaluator>_<parameter>`` of a registered evaluator, and each protocol's evaluator is built
    once so that its own value checks (``eval.knn_k = 0``) fail now.
    """
    protocols = eval_cfg.get("protocols", [])
    if isinstance(protocols, str):
        protocols = [protocols]
    for name in protocols:
        registry.get("evaluator", name)
    evaluators = {c.name: c for c in registry.components("evaluator")}
    for key in eval_cfg:
        if key in EVAL_DEFAULTS:
            continue
        owner = next((n for n in sorted(evaluators, key=len, reverse=True) if key.startswith(n + "_")), None)
        if owner is None:
            near = closest(key, [*EVAL_DEFAULTS, *(f"{n}_{p}" for n, c in evaluators.items() for p in c.parameters())])
            raise AnyclrError(
                f"Unknown key eval.{key}: it is not an [eval] setting and names no registered evaluator's parameter.",
                ("Did you mean: " + ", ".join(f"eval.{n}" for n in near) + "?")
                if near
                else f"[eval] settings: {', '.join(EVAL_DEFAULTS)}; evaluator parameters are eval.<evaluator>_<parameter>.",
            )
    for name, component in evaluators.items():
        if name in protocols:
            make_evaluator(registry, name, eval_cfg)
        else:  # keys of an evaluator the recipe does not run must still be its parameters
            _check_params(component, name, protocol_params(eval_cfg, name, list(evaluators)))
    return list(protocols)


def make_evaluator(registry: Registry, name: str, eval_cfg: dict[str, Any]) -> Callable[..., dict[str, float]]:
    """Build evaluator ``name`` with its ``eval.<name>_*`` parameters."""
    component = registry.get("evaluator", name)
    known = [c.name for c in registry.components("evaluator")]
    params = protocol_params(eval_cfg, name, known)
    _check_params(component, name, params)
    try:
        return component.factory(**params)
    except AnyclrError:
        raise
    except (TypeError, ValueError) as exc:
        keys = ", ".join(f"eval.{name}_{k}" for k in params) or "its defaults"
        raise AnyclrError(f"Could not build evaluator {name!r} from {keys}: {exc}", f"See `anyclr show {name}` for its parameters.") from None


def _check_params(component: Any, name: str, params: dict[str, Any]) -> None:
    accepted = component.parameters()
    if accepts_any_keyword(component.factory):
        return
    for key in params:
        if key not in accepted:
            near = closest(key, accepted)
            raise AnyclrError(
                f"Unknown key eval.{name}_{key} for evaluator {name!r}.",
                ("Did you mean: " + ", ".join(f"eval.{name}_{n}" for n in near) + "?")
                if near
                else f"Its parameters: {', '.join(accepted) or '(none)'}.",
            )


def run_protocols(
    registry: Registry,
    eval_cfg: dict[str, Any],
    protocols: list[str],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    notes: list[str] | None = None,
) -> dict[str, float]:
    """Run each protocol on (train, test) features; protocols that need labels are skipped when there are none."""
    metrics: dict[str, float] = {}
    labelled = bool(len(train[1]) and (train[1] >= 0).all() and (test[1] >= 0).all())
    for name in protocols:
        evaluator = make_evaluator(registry, name, eval_cfg)
        try:
            result = evaluator(train[0], train[1], test[0], test[1])
        except Exception as exc:
            if labelled:
                raise
            if notes is not None:
                notes.append(f"{name}: skipped ({type(exc).__name__}: {exc}; the data has no labels)")
            continue
        metrics.update({k: float(v) for k, v in result.items()})
    return metrics


def evaluate_encoder(
    registry: Registry,
    cfg: dict[str, Any],
    bundle: DataBundle,
    encoder: nn.Module,
    *,
    device: torch.device,
    initial: nn.Module | None = None,
    protocols: list[str] | None = None,
    amp_dtype: torch.dtype | None = None,
    channels_last: bool = False,
) -> dict[str, Any]:
    """Evaluate the encoder and the baselines; return metrics, baselines, notes and the learned test features."""
    eval_cfg = cfg["eval"]
    protocols = check_protocols(registry, eval_cfg) if protocols is None else protocols
    seed = int(cfg["trainer"]["seed"])
    train_ds, test_ds = eval_splits(bundle, seed)
    common = {"batch_size": int(eval_cfg["batch_size"]), "collate": bundle.collate, "num_workers": int(cfg["trainer"]["num_workers"])}
    notes: list[str] = []
    if bundle.test is None:
        notes.append(f"no test split: evaluated on a stratified {TEST_FRACTION:.0%} of train (seed {seed})")

    kw = {**common, "device": device, "amp_dtype": amp_dtype, "channels_last": channels_last}

    def learned(enc: nn.Module) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        return encoder_features(enc, train_ds, **kw), encoder_features(enc, test_ds, **kw)

    if not protocols:  # nothing to measure: only the test features, for the embedding plot
        return {"metrics": {}, "baselines": {}, "notes": notes, "test_features": encoder_features(encoder, test_ds, **kw)}
    train_f, test_f = learned(encoder)
    metrics = run_protocols(registry, eval_cfg, protocols, train_f, test_f, notes)
    baselines: dict[str, dict[str, float]] = {}
    for name in eval_cfg.get("baselines", []):
        if name == "random_init":
            if initial is None:
                notes.append("random_init: no initial encoder given; skipped")
                continue
            initial.to(device)
            try:
                baselines[name] = run_protocols(registry, eval_cfg, protocols, *learned(initial))
            finally:
                initial.to("cpu")
        elif name == "raw_input":
            tr = raw_input_features(bundle, train_ds, common["batch_size"], common["num_workers"])
            te = raw_input_features(bundle, test_ds, common["batch_size"], common["num_workers"]) if tr is not None else None
            if tr is None or te is None:
                notes.append("raw_input: inputs are not tensors and the dataset gives no raw_features; skipped")
                continue
            baselines[name] = run_protocols(registry, eval_cfg, protocols, tr, te)
        else:
            raise AnyclrError(f"Unknown baseline {name!r} in eval.baselines.", "Valid baselines: random_init, raw_input.")
    return {"metrics": metrics, "baselines": baselines, "notes": notes, "test_features": test_f}


def results_table(summary: dict[str, Any], title: str | None = None) -> Any:
    """Return a rich Table: rows learned / random_init / raw_input, one column per metric."""
    from rich.table import Table

    rows = {"learned": summary.get("metrics", {}), **summary.get("baselines", {})}
    columns: list[str] = []
    for values in rows.values():
        columns += [k for k in values if k not in columns]
    table = Table(title=title or f"{summary.get('recipe', 'run')} — {summary.get('epochs', '?')} epochs")
    table.add_column("encoder", style="bold")
    for col in columns:
        table.add_column(col, justify="right")
    for name, values in rows.items():
        table.add_row(name, *[_fmt(values.get(c)) for c in columns])
    return table


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 1000 else f"{v:.1f}"
    return str(v)
