"""Evaluation: frozen features of the train/test splits, the recipe's protocols on them, and baselines.

Protocols are the registry's ``evaluator`` components, called with the ``eval.<protocol>_<param>`` keys.
Baselines put the learned encoder in context: ``random_init`` (the same architecture with its initial
weights) and ``raw_input`` (the inputs themselves, flattened, or the bundle's ``raw_features``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from anyclr.core.components import accepts_any_keyword
from anyclr.core.config import EVAL_DEFAULTS
from anyclr.core.data import (
    BadSample,
    DataBundle,
    DataHealth,
    TensorSamples,
    default_collate,
    is_stream,
    iter_batches,
    metadata_of,
    subset,
    to_device,
)
from anyclr.core.device import autocast, to_channels_last
from anyclr.core.errors import AnyclrError, check_keys
from anyclr.core.registry import Registry
from anyclr.core.splits import split_indices
from anyclr.core.stream import stream_sample

TEST_FRACTION = 0.25
RETRIEVAL = "retrieval"
STREAM_EVAL_SAMPLES = 10_000  # a stream's evaluation sample when eval.max_samples = 0


def eval_splits(bundle: DataBundle, seed: int = 0, max_samples: int = 0, notes: list[str] | None = None) -> tuple[Dataset, Dataset]:
    """Return (train, test) map-style samples to evaluate on, each at most ``max_samples`` (0: all).

    A stream contributes a bounded, seeded sample. Without a test split, a stratified 25% of train is held
    out (whole groups when the samples declare a ``group``, so no speaker or video is on both sides).
    Larger splits are cut to a seeded, stratified ``max_samples``; nothing here decodes an input.
    """
    notes = notes if notes is not None else []
    train, test = bundle.train, bundle.test
    if bundle.streaming:
        n = max_samples or STREAM_EVAL_SAMPLES
        train = stream_sample(bundle.train, n, seed, bundle.max_bad_fraction)
        test = stream_sample(test, n, seed + 1, bundle.max_bad_fraction) if test is not None else None
        notes.append(f"stream: evaluated on a seeded sample of {len(train)} training samples (eval.max_samples)")
    if test is None or len(test) == 0:
        meta = metadata_of(train)
        train_idx, test_idx = split_indices(meta["label"], TEST_FRACTION, seed, groups=meta.get("group"), what="the evaluation's test share")
        train, test = subset(train, train_idx), subset(train, test_idx)
        by = " (by group)" if meta.get("group") is not None else ""
        notes.append(f"no test split: evaluated on a stratified {TEST_FRACTION:.0%} of train{by} (seed {seed})")
    return cap(train, max_samples, seed, "train", notes), cap(test, max_samples, seed, "test", notes)


def cap(ds: Dataset, max_samples: int, seed: int, name: str, notes: list[str]) -> Dataset:
    """Return ``ds`` cut to a seeded, stratified ``max_samples`` samples when it is larger (0: no cut)."""
    n = len(ds)
    if not max_samples or n <= max_samples:
        return ds
    _, keep = split_indices(metadata_of(ds)["label"], max_samples / n, seed, what="eval.max_samples")
    notes.append(f"{name}: evaluated on {len(keep)} of {n} samples (eval.max_samples = {max_samples})")
    return subset(ds, keep)


def check_eval_split(bundle: DataBundle, eval_cfg: dict[str, Any], seed: int = 0) -> None:
    """Raise now, before training, if evaluation cannot hold out a test part whose classes the probes see."""
    if not eval_cfg.get("protocols") or bundle.streaming or (bundle.test is not None and (is_stream(bundle.test) or len(bundle.test) > 0)):
        return  # a stream's labels are only known once read: its evaluation sample is checked then
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
    health: DataHealth | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``fn`` to every batch of ``ds`` (in order) and return (features [N, D] float32, labels [N]).

    Samples that cannot be decoded are left out (and counted in ``health``).
    """
    feats: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    if is_stream(ds):
        batches = ordered_stream_batches(ds, batch_size, collate, health)
    else:
        batches = iter_batches(ds, batch_size, collate=collate, num_workers=num_workers, health=health)
    for inputs, y in batches:
        out = fn(to_device(inputs, device))
        feats.append(out.detach().float().reshape(out.shape[0], -1).cpu().numpy())
        labels.append(torch.as_tensor(y).cpu().numpy())
    if not feats:
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
    return np.concatenate(feats).astype(np.float32, copy=False), np.concatenate(labels).astype(np.int64, copy=False)


class SampleIndex(Dataset):
    """A map-style dataset whose labels are the sample indices, so extracted features say which samples they are."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds

    def __len__(self) -> int:
        return len(self.ds)

    def __getitem__(self, idx: int) -> Any:
        sample = self.ds[idx]
        return sample if isinstance(sample, BadSample) else (sample[0], idx)


def indexed(ds: Dataset) -> Dataset:
    """Return ``ds`` with each sample's label replaced by its index (tensor-held samples stay one tensor)."""
    if isinstance(ds, TensorSamples):
        return TensorSamples(ds.x, torch.arange(len(ds)))
    return SampleIndex(ds)


@dataclass
class LabelSets:
    """The label columns a run is evaluated on (``label`` and the dataset's ``info["extra_labels"]``), per split."""

    keys: list[str]
    train: dict[str, np.ndarray]
    test: dict[str, np.ndarray]

    @classmethod
    def of(cls, bundle: DataBundle, train_ds: Dataset, test_ds: Dataset) -> LabelSets:
        """Read the label columns of both evaluation splits from their metadata."""
        keys = ["label", *[str(k) for k in bundle.info.get("extra_labels", [])]]
        metas = metadata_of(train_ds), metadata_of(test_ds)
        for key in keys[1:]:
            if key not in metas[0] or key not in metas[1]:
                raise AnyclrError(f"info['extra_labels'] names {key!r}, but the samples' metadata has no such column (plug-in bug).")
        columns = [{k: np.asarray(torch.as_tensor(m[k]).numpy(), dtype=np.int64) for k in keys} for m in metas]
        return cls(keys, columns[0], columns[1])

    def measure(
        self, run: Callable[..., dict[str, float]], train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]
    ) -> dict[str, float]:
        """Run ``run(train, test, label_free)`` on features whose labels are sample indices, once per label column
        (``knn_top1``, ``motion/knn_top1`` …); label-free metrics come once, with the main label."""
        out: dict[str, float] = {}
        for key in self.keys:
            tr = (train[0], self.train[key][train[1]])
            te = (test[0], self.test[key][test[1]])
            prefix = "" if key == "label" else f"{key}/"
            out.update({f"{prefix}{k}": v for k, v in run(tr, te, key == "label").items()})
        return out


def ordered_stream_batches(ds: Dataset, batch_size: int, collate: Any = None, health: DataHealth | None = None) -> Any:
    """Yield ``(inputs, labels)`` batches of one ordered pass over a stream (undecodable samples left out, counted)."""
    good: list[Any] = []
    for item in ds:
        if isinstance(item, BadSample):
            if health is not None:
                health.record(0, [item])
            continue
        if health is not None:
            health.record(1, [])
        good.append(item[:2])
        if len(good) == batch_size:
            yield (collate or default_collate)(good)
            good = []
    if good:
        yield (collate or default_collate)(good)


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
    stream: str | None = None,
    project: bool = False,
    health: DataHealth | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``encoder.represent`` features of ``ds`` in eval mode, without gradients.

    ``stream``: one stream of paired data (its encoder, its inputs); ``project``: the head's embedding instead.
    """
    was_training = encoder.training
    encoder.eval()
    net = encoder[stream] if stream is not None else encoder

    def fn(inputs: Any) -> torch.Tensor:
        if stream is not None:
            inputs = inputs[stream]
        if channels_last:
            inputs = to_channels_last(inputs)
        with autocast(device, amp_dtype):
            return net(inputs) if project else net.represent(inputs)

    try:
        return extract(fn, ds, batch_size=batch_size, device=device, collate=collate, num_workers=num_workers, health=health)
    finally:
        encoder.train(was_training)


def raw_input_features(
    bundle: DataBundle, ds: Dataset, batch_size: int, num_workers: int = 0, stream: str | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the raw-input baseline features (``bundle.raw_features`` or flattened tensors), None if impossible."""
    raw = bundle.streams[stream].raw_features if stream is not None else bundle.raw_features

    def fn(inputs: Any) -> torch.Tensor:
        if stream is not None:
            inputs = inputs[stream]
        if raw is not None:
            return raw(inputs)
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


def check_protocols(registry: Registry, eval_cfg: dict[str, Any], paired: bool | None = None) -> list[str]:
    """Return eval.protocols after checking them before training, not after.

    Each protocol must name a registered evaluator, every other ``eval.*`` key must be
    ``eval.<evaluator>_<parameter>`` of a registered evaluator, and each protocol's evaluator is built
    once so that its own value checks (``eval.knn_k = 0``) fail now. ``paired`` (when known): ``retrieval``
    compares the streams of paired data, so single-stream data refuses it.
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
        if owner is None:  # neither an [eval] setting nor any evaluator's parameter
            known = [*EVAL_DEFAULTS, *(f"{n}_{p}" for n, c in evaluators.items() for p in c.parameters())]
            check_keys([key], known, lambda k: f"eval.{k}", "", f"[eval] settings: {', '.join(EVAL_DEFAULTS)}; evaluator parameters are eval.<evaluator>_<parameter>.")
    for name, component in evaluators.items():
        if name in protocols:
            make_evaluator(registry, name, eval_cfg)
        else:  # keys of an evaluator the recipe does not run must still be its parameters
            _check_params(component, name, protocol_params(eval_cfg, name, list(evaluators)))
    if paired is False and RETRIEVAL in protocols:
        raise AnyclrError(
            "eval.protocols lists 'retrieval', which finds each sample's pair in another stream, but this data is a single stream.",
            "Pair two streams with [data.<stream>] tables, or drop 'retrieval' from eval.protocols.",
        )
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
    if not accepts_any_keyword(component.factory):
        check_keys(params, accepted, lambda k: f"eval.{name}_{k}", f"evaluator {name!r}", f"Its parameters: {', '.join(accepted) or '(none)'}.")


def run_protocols(
    registry: Registry,
    eval_cfg: dict[str, Any],
    protocols: list[str],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    notes: list[str] | None = None,
    label_free: bool = True,
) -> dict[str, float]:
    """Run each protocol on (train, test) features; protocols that need labels are skipped when there are none.

    ``label_free=False`` leaves out evaluators that ignore labels (``needs_labels = False``, e.g. RankMe):
    a second label column would only repeat them.
    """
    metrics: dict[str, float] = {}
    labelled = bool(len(train[1]) and (train[1] >= 0).all() and (test[1] >= 0).all())
    for name in protocols:
        evaluator = make_evaluator(registry, name, eval_cfg)
        if not label_free and not getattr(evaluator, "needs_labels", True):
            continue
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
    protocols = check_protocols(registry, eval_cfg, paired=bool(bundle.streams)) if protocols is None else protocols
    seed = int(cfg["trainer"]["seed"])
    notes: list[str] = []
    train_ds, test_ds = eval_splits(bundle, seed, int(eval_cfg["max_samples"]), notes)
    common = {"batch_size": int(eval_cfg["batch_size"]), "collate": bundle.collate, "num_workers": int(cfg["trainer"]["num_workers"])}
    if not bool((metadata_of(train_ds)["label"] >= 0).any()):
        notes.append("the data has no labels: protocols that need them (kNN, linear …) are skipped")

    kw = {**common, "device": device, "amp_dtype": amp_dtype, "channels_last": channels_last}
    labels = LabelSets.of(bundle, train_ds, test_ds)
    train_ds, test_ds = indexed(train_ds), indexed(test_ds)  # features carry sample indices; labels come from metadata

    health = DataHealth(bundle.max_bad_fraction)

    def learned(enc: nn.Module, count: DataHealth | None = None) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        return encoder_features(enc, train_ds, health=count, **kw), encoder_features(enc, test_ds, health=count, **kw)

    def measure(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], notes_: list[str] | None = None) -> dict[str, float]:
        return labels.measure(lambda tr, te, free: run_protocols(registry, eval_cfg, protocols, tr, te, notes_, free), train, test)

    if bundle.streams:
        return evaluate_streams(registry, eval_cfg, bundle, encoder, initial, protocols, train_ds, test_ds, kw, notes, labels)
    if not protocols:  # nothing to measure: only the test features, for the embedding plot
        x, idx = encoder_features(encoder, test_ds, **kw)
        return {"metrics": {}, "baselines": {}, "notes": notes, "test_features": (x, labels.test["label"][idx])}
    train_f, test_f = learned(encoder, health)
    if health.bad:
        notes.append(f"evaluation: {health.bad} of {health.good + health.bad} samples could not be decoded and were left out")
    health.check()
    metrics = measure(train_f, test_f, notes)
    baselines: dict[str, dict[str, float]] = {}
    for name in eval_cfg.get("baselines", []):
        if name == "random_init":
            if initial is None:
                notes.append("random_init: no initial encoder given; skipped")
                continue
            initial.to(device)
            try:
                baselines[name] = measure(*learned(initial))
            finally:
                initial.to("cpu")
        elif name == "raw_input":
            tr = raw_input_features(bundle, train_ds, common["batch_size"], common["num_workers"])
            te = raw_input_features(bundle, test_ds, common["batch_size"], common["num_workers"]) if tr is not None else None
            if tr is None or te is None:
                notes.append("raw_input: inputs are not tensors and the dataset gives no raw_features; skipped")
                continue
            baselines[name] = measure(tr, te)
            if bundle.info.get("raw_features"):
                notes.append(f"raw_input: {bundle.info['raw_features']}")
        else:
            raise AnyclrError(f"Unknown baseline {name!r} in eval.baselines.", "Valid baselines: random_init, raw_input.")
    return {"metrics": metrics, "baselines": baselines, "notes": notes, "test_features": (test_f[0], labels.test["label"][test_f[1]])}


def evaluate_streams(
    registry: Registry,
    eval_cfg: dict[str, Any],
    bundle: DataBundle,
    encoder: nn.Module,
    initial: nn.Module | None,
    protocols: list[str],
    train_ds: Dataset,
    test_ds: Dataset,
    kw: dict[str, Any],
    notes: list[str],
    labels: LabelSets,
) -> dict[str, Any]:
    """Evaluate each stream's encoder on its own inputs, and retrieval across streams; the same for the baselines.

    Returns ``metrics = {stream: {...}, "retrieval": {...}}`` and ``baselines = {name: {stream: {...}, …}}``.
    """
    device = kw["device"]
    names = list(bundle.streams)
    per_stream = [p for p in protocols if p != RETRIEVAL]

    def measure(enc: nn.Module) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for name in names:
            if per_stream:
                train_f = encoder_features(enc, train_ds, stream=name, **kw)
                test_f = encoder_features(enc, test_ds, stream=name, **kw)
                out[name] = labels.measure(lambda tr, te, free: run_protocols(registry, eval_cfg, per_stream, tr, te, notes, free), train_f, test_f)
        if RETRIEVAL in protocols:
            out[RETRIEVAL] = cross_retrieval(registry, eval_cfg, enc, names, test_ds, kw)
        return out

    metrics = measure(encoder)
    baselines: dict[str, dict[str, dict[str, float]]] = {}
    for baseline in eval_cfg.get("baselines", []):
        if baseline == "random_init" and initial is not None:
            initial.to(device)
            try:
                baselines[baseline] = measure(initial)
            finally:
                initial.to("cpu")
        elif baseline == "raw_input" and per_stream:
            rows = {}
            for name in names:
                tr = raw_input_features(bundle, train_ds, kw["batch_size"], kw["num_workers"], stream=name)
                te = raw_input_features(bundle, test_ds, kw["batch_size"], kw["num_workers"], stream=name) if tr is not None else None
                if tr is not None and te is not None:
                    rows[name] = labels.measure(lambda a, b, free: run_protocols(registry, eval_cfg, per_stream, a, b, None, free), tr, te)
            baselines[baseline] = rows
        elif baseline not in ("random_init", "raw_input"):
            raise AnyclrError(f"Unknown baseline {baseline!r} in eval.baselines.", "Valid baselines: random_init, raw_input.")
    x, idx = encoder_features(encoder, test_ds, stream=names[0], **kw)
    return {"metrics": metrics, "baselines": baselines, "notes": notes, "test_features": (x, labels.test["label"][idx])}


def cross_retrieval(
    registry: Registry, eval_cfg: dict[str, Any], encoder: nn.Module, names: list[str], test_ds: Dataset, kw: dict[str, Any]
) -> dict[str, float]:
    """Recall@k between every pair of streams' projected test embeddings, both directions (``a_to_b_recall@1`` …)."""
    evaluator = make_evaluator(registry, RETRIEVAL, eval_cfg)
    z = {}
    for name in names:
        x, idx = encoder_features(encoder, test_ds, stream=name, project=True, **kw)
        z[name] = x[np.argsort(idx, kind="stable")]  # row i is sample i in every stream (pairs by sample index)
    out: dict[str, float] = {}
    for a in names:
        for b in names:
            if a != b:
                out.update({f"{a}_to_{b}_{k}": v for k, v in evaluator(z[a], z[b]).items()})
    return out


LABEL_FREE_METRICS = ("rankme", "feature_std")  # no "higher is better" against a baseline


def main_metrics(summary: dict[str, Any]) -> dict[str, str]:
    """Return the metric that judges each encoder ({row prefix: metric}): the first labelled metric it reports."""
    metrics = summary.get("metrics", {})
    groups = {part: values for part, values in metrics.items() if isinstance(values, dict) and part != RETRIEVAL} or {"": metrics}
    out = {}
    for part, values in groups.items():
        key = next((k for k in values if not k.startswith(LABEL_FREE_METRICS) and "/" not in k), None)
        if key is not None:
            out[part] = key
    return out


def verdict(summary: dict[str, Any]) -> dict[str, Any]:
    """Compare the learned encoder with its baselines on the main metric; return the comparison and notes.

    Learning "did not help" when the learned encoder scores below the same encoder at its random initial
    weights; scoring below the raw input is reported too.
    """
    out: dict[str, Any] = {"notes": []}
    for part, key in main_metrics(summary).items():
        learned = _score(summary.get("metrics", {}), part, key)
        row = {"metric": key, "learned": learned}
        where = f" ({part})" if part else ""
        for name, label in (("random_init", "the same encoder at random initialisation"), ("raw_input", "the raw input")):
            base = _score(summary.get("baselines", {}).get(name, {}), part, key)
            if base is None or learned is None:
                continue
            row[name] = base
            row[f"beats_{name}"] = learned > base
            if learned < base:
                what = "learning did not help" if name == "random_init" else "the learned encoder is below the raw input"
                out["notes"].append(f"{what}{where}: {key} {learned:.4f} vs {base:.4f} for {label}")
        out[part or "learned"] = row
    return out


def _score(values: dict[str, Any], part: str, key: str) -> float | None:
    values = values.get(part, {}) if part else values
    v = values.get(key) if isinstance(values, dict) else None
    return float(v) if isinstance(v, (int, float)) else None


def results_rows(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the table's rows: learned and each baseline; for paired data one row per stream, retrieval apart."""
    rows = {"learned": summary.get("metrics", {}), **summary.get("baselines", {})}
    if not is_paired(rows):
        return rows
    return {f"{row} · {part}": values for row, parts in rows.items() for part, values in parts.items() if part != RETRIEVAL}


def retrieval_rows(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the retrieval rows of a paired run (learned and each baseline that has them)."""
    rows = {"learned": summary.get("metrics", {}), **summary.get("baselines", {})}
    if not is_paired(rows):
        return {}
    return {row: parts[RETRIEVAL] for row, parts in rows.items() if parts.get(RETRIEVAL)}


def is_paired(rows: dict[str, dict[str, Any]]) -> bool:
    """True when the metrics are grouped by stream (a paired run)."""
    return any(isinstance(v, dict) for values in rows.values() for v in values.values())


def results_table(summary: dict[str, Any], title: str | None = None) -> Any:
    """Return the results as rich tables: one row per encoder (learned, random_init, raw_input; per stream for paired
    data) and a column per metric; paired runs add a retrieval table (recall@k each way)."""
    from rich.console import Group

    title = title or f"{summary.get('recipe', 'run')} — {summary.get('epochs', '?')} epochs"
    rows = results_rows(summary)
    marked = _mark_below(summary, rows)
    table = _table(rows, title)
    if marked:
        table.caption = "▼ below the same encoder at random initialisation: training did not help on this metric"
    retrieval = retrieval_rows(summary)
    if not retrieval:
        return table
    short = {k: k.replace("_to_", "→").replace("_recall@", " R@") for values in retrieval.values() for k in values}
    return Group(table, _table({row: {short[k]: v for k, v in values.items()} for row, values in retrieval.items()}, "retrieval (chance: k / test samples)"))


def _mark_below(summary: dict[str, Any], rows: dict[str, dict[str, Any]]) -> bool:
    """Mark (▼) the learned encoder's main metric where it is below its random-init baseline; return True if any."""
    marked = False
    for part, key in main_metrics(summary).items():
        learned_row = f"learned · {part}" if part else "learned"
        base_row = f"random_init · {part}" if part else "random_init"
        learned, base = rows.get(learned_row, {}).get(key), rows.get(base_row, {}).get(key)
        if isinstance(learned, (int, float)) and isinstance(base, (int, float)) and learned < base:
            rows[learned_row] = {**rows[learned_row], key: f"{_fmt(learned)} ▼"}
            marked = True
    return marked


def _table(rows: dict[str, dict[str, Any]], title: str) -> Any:
    from rich.table import Table

    columns: list[str] = []
    for values in rows.values():
        columns += [k for k in values if k not in columns]
    table = Table(title=title)
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
