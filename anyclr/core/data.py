"""The core's data model: a dataset bundle, per-sample metadata, batches of any type, and moving them to a device.

A sample is ``(input, label)``; ``label`` is an int (``-1`` when unknown). ``input`` may be a tensor,
a dict of tensors (padded sequences with masks), a torch-geometric ``Data`` … anything the bundle's
``collate`` turns into a batch. The core never looks inside inputs: it only moves them to the device.

Datasets are map-style (``__len__`` and ``__getitem__``: decoded on demand, in DataLoader workers) or streams
(a ``torch.utils.data.IterableDataset``, see :mod:`anyclr.core.stream`). A map-style dataset declares its
labels and any other per-sample metadata (``group``: speaker, video, patient …) through
``sample_metadata()``, so that splits, the kNN monitor and evaluation never decode an input to learn a label.
A sample that cannot be decoded is returned as a :class:`BadSample`: it is dropped from its batch, warned
about and counted, and the run stops once more than the bundle's ``max_bad_fraction`` of samples were bad.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, Sampler

from anyclr.core.errors import AnyclrError

log = logging.getLogger("anyclr.data")


# -- samples --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadSample:
    """What a dataset returns for a sample it could not decode: where it is, and why (dropped and counted)."""

    where: str
    reason: str


class TensorSamples(Dataset):
    """Samples held as one tensor (plus labels): batches are sliced directly, no per-sample collation."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None = None, meta: dict[str, Any] | None = None) -> None:
        self.x = x
        self.y = y if y is not None else torch.full((len(x),), -1, dtype=torch.long)
        self.meta = dict(meta or {})  # more per-sample metadata: "group" (speaker, video …), "id"
        if len(self.y) != len(self.x):
            raise ValueError(f"{len(self.x)} inputs but {len(self.y)} labels")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, idx: int) -> tuple[torch.Tensor, int]:
        return self.x[idx], int(self.y[idx])

    def sample_metadata(self) -> dict[str, Any]:
        """Return ``{"label": [N], …}`` (plus any ``group``/``id`` given) without touching the inputs."""
        return {**self.meta, "label": self.y}

    def take(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the batch at indices ``idx`` in one slice."""
        return self.x[idx], self.y[idx]

    def subset(self, idx: torch.Tensor) -> TensorSamples:
        """Return the samples at ``idx`` as a new TensorSamples."""
        return TensorSamples(self.x[idx], self.y[idx], {k: _take(v, idx) for k, v in self.meta.items()})


class ListSamples(Dataset):
    """Decoded ``(input, label)`` or ``(input, label, metadata)`` samples held in a list (e.g. a bounded sample of a
    stream for evaluation)."""

    def __init__(self, items: Sequence[tuple[Any, ...]]) -> None:
        self.items = [item[:2] for item in items]
        extra = [item[2] if len(item) > 2 else {} for item in items]
        keys = sorted({k for m in extra for k in m})
        self.meta = {k: [m.get(k) for m in extra] for k in keys}

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, idx: int) -> tuple[Any, int]:
        return self.items[idx]

    def sample_metadata(self) -> dict[str, Any]:
        """Return the labels (and any other metadata) of the held samples."""
        meta = {k: torch.tensor(v) if all(isinstance(x, int) for x in v) else v for k, v in self.meta.items()}
        return {**meta, "label": torch.tensor([int(y) for _, y in self.items], dtype=torch.long)}


class IndexedSubset(Dataset):
    """A subset of any map-style dataset by indices; its metadata is the base's, indexed."""

    def __init__(self, base: Dataset, idx: Sequence[int]) -> None:
        self.base = base
        self.idx = list(idx)

    def __len__(self) -> int:
        return len(self.idx)

    def __getitem__(self, i: int) -> Any:
        return self.base[self.idx[i]]

    def sample_metadata(self) -> dict[str, Any]:
        """Return the base dataset's metadata at this subset's indices."""
        index = torch.as_tensor(self.idx, dtype=torch.long)
        return {key: _take(values, index) for key, values in metadata_of(self.base).items()}


def _take(values: Any, index: torch.Tensor) -> Any:
    if isinstance(values, torch.Tensor):
        return values[index]
    if isinstance(values, np.ndarray):
        return values[index.numpy()]
    return [values[i] for i in index.tolist()]


def subset(ds: Dataset, idx: torch.Tensor) -> Dataset:
    """Return the samples of ``ds`` at ``idx``."""
    if isinstance(ds, TensorSamples):
        return ds.subset(idx)
    return IndexedSubset(ds, idx.tolist())


def is_stream(ds: Any) -> bool:
    """Return True for a stream (an ``IterableDataset``: no random access, possibly no length)."""
    return isinstance(ds, IterableDataset)


_warned_decoding: set[str] = set()


def metadata_of(ds: Dataset) -> dict[str, Any]:
    """Return a map-style dataset's per-sample metadata (``label`` always, ``group`` etc. when declared).

    Datasets declare it with ``sample_metadata()``; for one that does not, every sample is read once (with a
    warning: that decodes all inputs) and only labels are known.
    """
    declared = getattr(ds, "sample_metadata", None)
    if callable(declared):
        meta = dict(declared())
        meta["label"] = torch.as_tensor(meta.get("label", torch.full((len(ds),), -1)), dtype=torch.long).reshape(-1)
        if len(meta["label"]) != len(ds):
            raise AnyclrError(f"{type(ds).__name__}.sample_metadata() gives {len(meta['label'])} labels for {len(ds)} samples (plug-in bug).")
        return meta
    name = type(ds).__name__
    if name not in _warned_decoding:
        _warned_decoding.add(name)
        log.warning("Dataset %s declares no sample_metadata(); reading every sample to learn its labels.", name)
    return {"label": torch.tensor([int(ds[i][1]) for i in range(len(ds))], dtype=torch.long)}


@dataclass
class DataBundle:
    """What a dataset factory returns: train (and optional test) samples and how to batch them.

    ``train``/``test`` are map-style datasets or streams. ``max_bad_fraction`` is the share of samples that
    may fail to decode (each one skipped with a warning) before the run stops with an error. Paired data (two
    or more input streams, see :mod:`anyclr.core.paired`) lists its streams in ``streams``.
    """

    train: Dataset
    test: Dataset | None = None
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None
    info: dict[str, Any] = field(default_factory=dict)  # the standard keys are listed in core/hookspecs.py
    raw_features: Callable[[Any], torch.Tensor] | None = None  # batch inputs -> [B, F] for the raw-input baseline
    max_bad_fraction: float = 0.0
    streams: dict[str, Any] = field(default_factory=dict)  # paired data: {stream: core.paired.Stream}; inputs are {stream: input}

    @property
    def streaming(self) -> bool:
        """True when the training samples are a stream."""
        return is_stream(self.train)

    def split(self, name: str = "train") -> Dataset | None:
        """Return the ``train`` or ``test`` samples."""
        return self.train if name == "train" else self.test

    def metadata(self, split: str = "train") -> dict[str, Any]:
        """Return a map-style split's per-sample metadata (empty labels for a missing split or a stream)."""
        ds = self.split(split)
        if ds is None or is_stream(ds):
            return {"label": torch.empty(0, dtype=torch.long)}
        return metadata_of(ds)

    def labels(self, split: str = "train") -> torch.Tensor:
        """Return all labels of a map-style split as a long tensor (-1 where unknown), without decoding inputs."""
        return self.metadata(split)["label"]

    def has_labels(self) -> bool:
        """Return True if the training split is map-style and every training sample has a known label."""
        y = self.labels("train")
        return len(y) > 0 and bool((y >= 0).all())


def default_collate(items: list[tuple[Any, int]]) -> tuple[Any, torch.Tensor]:
    """Stack same-shaped tensor inputs; labels become a long tensor."""
    xs, ys = zip(*items, strict=True)
    return torch.utils.data.default_collate(list(xs)), torch.tensor(ys, dtype=torch.long)


# -- loading --------------------------------------------------------------------------------------------------------


@dataclass
class LoadedBatch:
    """A batch as a loader hands it over: inputs, labels, the samples dropped as bad, and (streams) the position."""

    inputs: Any
    labels: torch.Tensor
    bad: list[BadSample] = field(default_factory=list)
    worker: int = 0  # streams: the reader (logical worker) that made the batch
    position: tuple[int, int] | None = None  # streams: (pass, records read in that pass) after this batch
    error: tuple[str, str | None] | None = None  # an AnyclrError raised in a worker, re-raised by the main process

    def pin_memory(self) -> LoadedBatch:
        """Pin the batch's tensors (the DataLoader's pin_memory thread calls this on CUDA runs)."""
        self.inputs, self.labels = pin(self.inputs), self.labels.pin_memory()
        return self


def pin(obj: Any) -> Any:
    """Pin tensors, containers of tensors, or objects with ``pin_memory()`` in page-locked memory."""
    if isinstance(obj, torch.Tensor):
        return obj.pin_memory()
    if isinstance(obj, dict):
        return {k: pin(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(pin(v) for v in obj)
    return obj.pin_memory() if callable(getattr(obj, "pin_memory", None)) else obj


class DropBad:
    """A collate function that leaves out :class:`BadSample` items and reports them with the batch."""

    def __init__(self, collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None) -> None:
        self.collate = collate or default_collate

    def __call__(self, items: list[Any]) -> LoadedBatch:
        bad = [item for item in items if isinstance(item, BadSample)]
        good = [item for item in items if not isinstance(item, BadSample)] if bad else items
        if not good:
            return LoadedBatch(None, torch.empty(0, dtype=torch.long), bad)
        inputs, labels = self.collate(good)
        return LoadedBatch(inputs, torch.as_tensor(labels), bad)


class DataHealth:
    """Counts good and bad samples of a run, warns about bad ones, and stops the run past ``max_bad_fraction``."""

    MAX_WARNINGS = 20
    MIN_SAMPLES = 50  # the fraction is judged on at least this many samples (or at the end)

    def __init__(self, max_bad_fraction: float = 0.0, key: str = "data.max_bad_fraction") -> None:
        self.max_bad_fraction = float(max_bad_fraction)
        self.key = key
        self.good = 0
        self.bad = 0
        self.examples: list[str] = []

    def record(self, good: int, bad: Sequence[BadSample]) -> None:
        """Count a batch: ``good`` samples kept and the ``bad`` ones dropped."""
        self.good += int(good)
        for item in bad:
            self.bad += 1
            if len(self.examples) < 5:
                self.examples.append(f"{item.where}: {item.reason}")
            if self.bad <= self.MAX_WARNINGS:
                log.warning("Skipped a bad sample: %s: %s", item.where, item.reason)
            elif self.bad == self.MAX_WARNINGS + 1:
                log.warning("More bad samples are being skipped; the run's summary counts them.")
        if bad:
            self.check(final=False)

    def check(self, final: bool = True) -> None:
        """Raise when more than the allowed fraction of samples seen so far were bad."""
        total = self.good + self.bad
        if not self.bad or (not final and total < self.MIN_SAMPLES):
            return
        if self.bad > self.max_bad_fraction * total:
            raise AnyclrError(
                f"{self.bad} of {total} samples read so far could not be decoded, more than {self.key} = "
                f"{self.max_bad_fraction:g} allows. First: {self.examples[0]}",
                f"Fix or remove the bad files, or raise {self.key} (e.g. --set {self.key}=0.05) to skip them.",
            )

    def absorb(self, rows: Sequence[Sequence[int]]) -> None:
        """Take the run's totals from every rank's ``[good, bad]`` counts (for the summary and the final check)."""
        self.good = int(sum(r[0] for r in rows))
        self.bad = int(sum(r[1] for r in rows))

    def summary(self) -> dict[str, Any]:
        """Return the counts for the run's summary."""
        return {"bad_samples": self.bad, "samples_read": self.good + self.bad, "bad_examples": list(self.examples)}


class BatchOrder(Sampler[list[int]]):
    """A batch sampler whose batches are set before each pass, so a persistent DataLoader can be reused."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


@dataclass
class LoaderOptions:
    """How batches are loaded: worker processes, their persistence and prefetch, pinned memory."""

    num_workers: int = 0
    persistent_workers: bool = True
    prefetch_factor: int = 2
    pin_memory: bool = False

    def kwargs(self) -> dict[str, Any]:
        """Return the matching ``torch.utils.data.DataLoader`` keyword arguments."""
        kw: dict[str, Any] = {"num_workers": int(self.num_workers), "pin_memory": bool(self.pin_memory)}
        if self.num_workers > 0:
            kw["persistent_workers"] = bool(self.persistent_workers)
            kw["prefetch_factor"] = int(self.prefetch_factor)
        return kw


def batch_order(n: int, batch_size: int, *, shuffle: bool, seed: int, drop_last: bool, max_batches: int = 0) -> list[torch.Tensor]:
    """Return the index batches of one pass over ``n`` samples; the order depends only on ``seed``."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle else torch.arange(n)
    if drop_last and n >= batch_size:
        order = order[: n - n % batch_size]
    chunks = list(order.split(batch_size))
    return chunks[:max_batches] if max_batches else chunks


class MapLoader:
    """Batches of a map-style dataset in a given order: sliced directly from a :class:`TensorSamples`, otherwise
    decoded by one DataLoader (its workers persist across passes)."""

    def __init__(self, ds: Dataset, collate: Callable[..., Any] | None = None, options: LoaderOptions | None = None) -> None:
        self.ds = ds
        self.options = options or LoaderOptions()
        self.order = BatchOrder()
        self.loader: DataLoader | None = None
        if not isinstance(ds, TensorSamples):
            self.loader = DataLoader(ds, batch_sampler=self.order, collate_fn=DropBad(collate), **self.options.kwargs())

    def batches(self, chunks: Sequence[torch.Tensor]) -> Iterator[LoadedBatch]:
        """Yield the batches of ``chunks`` (index tensors), in order."""
        if self.loader is None:
            for idx in chunks:
                x, y = self.ds.take(idx)  # type: ignore[attr-defined]
                yield LoadedBatch(x, y)
            return
        self.order.batches = [c.tolist() for c in chunks]
        yield from self.loader


def iter_batches(
    ds: Dataset,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
    drop_last: bool = False,
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None,
    num_workers: int = 0,
    max_batches: int = 0,
    health: DataHealth | None = None,
) -> Iterator[tuple[Any, torch.Tensor]]:
    """Yield ``(inputs, labels)`` batches of a map-style dataset; the order depends only on ``seed``.

    Bad samples are dropped from their batch and counted in ``health`` (a batch left empty is skipped).
    """
    chunks = batch_order(len(ds), batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last, max_batches=max_batches)
    loader = MapLoader(ds, collate, LoaderOptions(num_workers=num_workers, persistent_workers=False))
    for batch in loader.batches(chunks):
        if health is not None:
            health.record(len(batch.labels), batch.bad)
        if len(batch.labels):
            yield batch.inputs, batch.labels


def to_device(obj: Any, device: torch.device | str, non_blocking: bool = False) -> Any:
    """Move tensors, containers of tensors, or objects with ``.to()`` (e.g. a PyG Batch) to ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return {k: to_device(v, device, non_blocking) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device, non_blocking) for v in obj)
    if hasattr(obj, "to"):
        return obj.to(device)
    return obj


def batch_size_of(obj: Any) -> int:
    """Return the number of samples in a batch of inputs."""
    if isinstance(obj, torch.Tensor):
        return obj.shape[0]
    if isinstance(obj, dict):
        return batch_size_of(next(iter(obj.values())))
    if isinstance(obj, (list, tuple)):
        return len(obj)
    if hasattr(obj, "num_graphs"):
        return int(obj.num_graphs)
    return len(obj)
