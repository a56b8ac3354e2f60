"""Training on streams: samples split across ranks × workers, a seeded shuffle buffer, exact resume.

A stream is any ``torch.utils.data.IterableDataset``. One that subclasses :class:`SampleStream` is read part by
part (a part is a shard): its raw records are split, shuffled and skipped *before* they are decoded, so each
worker decodes only its own samples and resuming costs a re-read, not a re-decode. Any other iterable dataset
is split sample by sample (every worker reads it all and keeps its share).

Each of the ``world × workers`` readers (consumers) reads an endless sequence of passes. In pass ``p`` the
parts are permuted with the seed ``(seed, p)``; with at least as many parts as readers, reader ``c`` reads
parts ``c, c + C, …`` of that order, otherwise every ``C``-th record. A shuffle buffer seeded by
``(seed, p, c)`` mixes the records, so a reader sees no sample twice in its pass and the order depends on the
seed alone. Each batch carries its reader's position, ``(pass, records read in that pass)``; the checkpoint
keeps them, with how many batches each rank took (the DataLoader takes them from its workers in turn). A
resumed run gives each worker the reader whose turn comes next and skips, in that reader's current pass
only, the records already read, so it sees exactly the samples an uninterrupted run would have seen.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.data import IterableDataset, get_worker_info

from anyclr.core.data import BadSample, ListSamples, LoadedBatch, default_collate
from anyclr.core.errors import AnyclrError


class SampleStream(IterableDataset):
    """Base for streams read part by part, whose records are decoded only after they are split and shuffled.

    Subclasses implement :meth:`parts`, :meth:`read` and :meth:`decode`. Iterating the stream itself gives one
    ordered pass of decoded samples (bad ones as :class:`BadSample`), e.g. for ``anyclr embed``.
    """

    def parts(self) -> list[str]:
        """Return the parts' names (shard URLs), in their natural order."""
        raise NotImplementedError

    def read(self, part: int) -> Iterator[Any]:
        """Yield the raw records of part ``part`` (a record that cannot even be read as a :class:`BadSample`)."""
        raise NotImplementedError

    def decode(self, record: Any) -> tuple[Any, int] | tuple[Any, int, dict[str, Any]]:
        """Return ``(input, label)`` (or ``(input, label, metadata)``) of a raw record; raise if it cannot be decoded."""
        raise NotImplementedError

    def where(self, record: Any) -> str:
        """Describe where a record comes from (file and key), for messages."""
        return repr(record)[:80]

    def decoded(self, record: Any) -> tuple[Any, int] | BadSample:
        """Decode a record, turning a failure into a :class:`BadSample`."""
        if isinstance(record, BadSample):
            return record
        try:
            return self.decode(record)
        except Exception as exc:  # decoders raise many types for corrupt data; all are reported the same way
            return BadSample(self.where(record), f"{type(exc).__name__}: {exc}".strip())

    def __iter__(self) -> Iterator[tuple[Any, int] | BadSample]:
        for part in range(len(self.parts())):
            for record in self.read(part):
                yield self.decoded(record)


@dataclass
class StreamPlan:
    """How one rank reads a stream: seed, batch size, rank and world, shuffle buffer, where to resume."""

    seed: int
    batch_size: int
    rank: int = 0
    world: int = 1
    shuffle_buffer: int = 0
    positions: list[tuple[int, int]] = field(default_factory=list)  # (pass, records read in it) per reader of this rank
    batches_taken: int = 0  # batches this rank took before a resume: whose turn it is
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None


def consumer_records(
    ds: IterableDataset, seed: int, consumer: int, consumers: int, shuffle_buffer: int, start_pass: int = 0
) -> Iterator[tuple[int, Any]]:
    """Yield ``(pass, record)`` for reader ``consumer``'s endless sequence of raw records, from pass ``start_pass``."""
    for p in itertools.count(start_pass):
        rng = random.Random(f"{seed}/{p}/{consumer}")
        empty = True
        for record in shuffled(pass_records(ds, seed, p, consumer, consumers), shuffle_buffer, rng):
            empty = False
            yield p, record
        if empty:  # every later pass would be empty too: say so rather than spin
            if not any(True for _ in pass_records(ds, seed, p, 0, 1)):
                raise AnyclrError(f"The stream {describe(ds)} holds no samples.", "Check data.path (a shard pattern must match files).")
            raise AnyclrError(
                f"The stream {describe(ds)} gave reader {consumer + 1} of {consumers} (processes × trainer.num_workers) no samples.",
                "Use fewer trainer.num_workers or processes, or write the data into more shards.",
            )


def pass_records(ds: IterableDataset, seed: int, p: int, consumer: int, consumers: int) -> Iterator[Any]:
    """Yield the records of pass ``p`` that belong to ``consumer`` of ``consumers``, unshuffled."""
    if not isinstance(ds, SampleStream):
        yield from itertools.islice(iter(ds), consumer, None, consumers)
        return
    n = len(ds.parts())
    order = torch.randperm(n, generator=torch.Generator().manual_seed(hash_seed(seed, p))).tolist() if n > 1 else list(range(n))
    if n >= consumers:
        for part in order[consumer::consumers]:
            yield from ds.read(part)
        return
    records = itertools.chain.from_iterable(ds.read(part) for part in order)
    yield from itertools.islice(records, consumer, None, consumers)


def shuffled(records: Iterator[Any], size: int, rng: random.Random) -> Iterator[Any]:
    """Yield ``records`` through a shuffle buffer of ``size`` (0 or 1 keeps the order)."""
    if size <= 1:
        yield from records
        return
    buffer: list[Any] = []
    for record in records:
        if len(buffer) < size:
            buffer.append(record)
            continue
        j = rng.randrange(size)
        yield buffer[j]
        buffer[j] = record
    rng.shuffle(buffer)
    yield from buffer


def hash_seed(*parts: int) -> int:
    """Combine integers into one non-negative seed."""
    out = 0
    for part in parts:
        out = (out * 1_000_003 + int(part)) % (2**63 - 1)
    return out


def describe(ds: Any) -> str:
    """Name a stream for messages (its first part when it has parts)."""
    if isinstance(ds, SampleStream):
        parts = ds.parts()
        return f"{parts[0]} (+{len(parts) - 1} more)" if len(parts) > 1 else (parts[0] if parts else type(ds).__name__)
    return type(ds).__name__


class StreamBatches(IterableDataset):
    """What the DataLoader iterates on one rank: each worker's share of the stream, shuffled, skipped to its saved
    position, decoded and batched (``batch_size`` good samples per batch, bad ones reported with it)."""

    def __init__(self, ds: IterableDataset, plan: StreamPlan) -> None:
        self.ds = ds
        self.plan = plan

    def __iter__(self) -> Iterator[LoadedBatch]:
        info = get_worker_info()
        physical, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        plan = self.plan
        # The DataLoader takes batches from its workers in turn, starting with worker 0: after a resume, worker 0
        # must be the reader whose turn came next in the uninterrupted run.
        reader = (physical + plan.batches_taken) % workers
        collate = plan.collate or default_collate
        decode = self.ds.decoded if isinstance(self.ds, SampleStream) else _as_sample
        start_pass, done = plan.positions[reader] if reader < len(plan.positions) else (0, 0)
        try:
            records = consumer_records(self.ds, plan.seed, plan.rank * workers + reader, plan.world * workers, plan.shuffle_buffer, start_pass)
            current, read = start_pass, 0
            good: list[Any] = []
            bad: list[BadSample] = []
            for p, record in records:
                if p != current:
                    current, read = p, 0
                read += 1
                if p == start_pass and read <= done:
                    continue  # read before the resume
                sample = decode(record)
                if isinstance(sample, BadSample):
                    bad.append(sample)
                    if len(bad) >= plan.batch_size:  # let the main process judge the bad fraction; never spin silently
                        yield LoadedBatch(None, torch.empty(0, dtype=torch.long), bad, reader, (current, read))
                        bad = []
                    continue
                good.append(sample[:2])  # metadata beyond the label is for evaluation, not training
                if len(good) == plan.batch_size:
                    inputs, labels = collate(good)
                    yield LoadedBatch(inputs, torch.as_tensor(labels), bad, reader, (current, read))
                    good, bad = [], []
        except AnyclrError as exc:  # raised again, cleanly, in the main process
            yield LoadedBatch(None, torch.empty(0, dtype=torch.long), [], reader, None, error=(exc.message, exc.hint))


def _as_sample(item: Any) -> Any:
    return item


def stream_sample(ds: IterableDataset, max_samples: int, seed: int, max_bad_fraction: float = 0.0) -> ListSamples:
    """Return a bounded, seeded sample of a stream: the first ``max_samples`` good samples of a shuffled pass."""
    from anyclr.core.data import DataHealth

    health = DataHealth(max_bad_fraction)
    decode = ds.decoded if isinstance(ds, SampleStream) else _as_sample
    items: list[tuple[Any, int]] = []
    rng = random.Random(f"{seed}/eval")
    for record in shuffled(pass_records(ds, seed, 0, 0, 1), min(max_samples, 10_000), rng):
        sample = decode(record)
        if isinstance(sample, BadSample):
            health.record(0, [sample])
            continue
        health.record(1, [])
        items.append(sample)
        if len(items) >= max_samples:
            break
    health.check()
    return ListSamples(items)
