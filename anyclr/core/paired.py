"""Runs over two or more input streams (image and series, video and audio …): paired samples and their batches.

A paired sample's input is ``{stream: input}``; its batch is ``{stream: batch}``. Each stream keeps its own
``info`` (for its views and encoder), collation and raw-input features in :class:`Stream`. The datasets of a
recipe's ``[data.<stream>]`` tables are zipped sample by sample: they must have the same length and the same
order, which is checked on the metadata they declare (an ``id`` when both have one, else the labels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.data import Dataset

from anyclr.core.data import BadSample, DataBundle, default_collate, is_stream, metadata_of
from anyclr.core.errors import AnyclrError


@dataclass
class Stream:
    """One input stream of a paired dataset: its ``info`` and how its inputs are batched and flattened."""

    info: dict[str, Any] = field(default_factory=dict)
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None
    raw_features: Callable[[Any], torch.Tensor] | None = None


class PairedSamples(Dataset):
    """Map-style datasets of equal length zipped: sample ``i`` is ``({stream: input_i}, label_i)``."""

    def __init__(self, parts: dict[str, Dataset]) -> None:
        self.parts = dict(parts)
        self.names = list(self.parts)

    def __len__(self) -> int:
        return len(self.parts[self.names[0]])

    def __getitem__(self, idx: int) -> tuple[dict[str, Any], int] | BadSample:
        inputs: dict[str, Any] = {}
        label = -1
        for name in self.names:
            sample = self.parts[name][idx]
            if isinstance(sample, BadSample):
                return BadSample(f"{sample.where} (stream {name})", sample.reason)
            inputs[name] = sample[0]
            label = int(sample[1]) if label < 0 else label
        return inputs, label

    def sample_metadata(self) -> dict[str, Any]:
        """Return the first stream's metadata, with labels filled in from the others where it has none."""
        metas = [metadata_of(self.parts[n]) for n in self.names]
        meta = dict(metas[0])
        label = meta["label"].clone()
        for other in metas[1:]:
            label = torch.where(label >= 0, label, other["label"])
        meta["label"] = label
        return meta


class PairedCollate:
    """Batch paired samples: each stream with its own collate; labels once."""

    def __init__(self, streams: dict[str, Stream]) -> None:
        self.streams = streams

    def __call__(self, items: list[tuple[dict[str, Any], int]]) -> tuple[dict[str, Any], torch.Tensor]:
        labels = [int(y) for _, y in items]
        batch = {}
        for name, stream in self.streams.items():
            inputs, _ = (stream.collate or default_collate)([(x[name], y) for x, y in items])
            batch[name] = inputs
        return batch, torch.tensor(labels, dtype=torch.long)


def check_aligned(parts: dict[str, Dataset], split: str) -> None:
    """Raise, naming the first mismatched sample, unless the datasets have one length and one order."""
    names = list(parts)
    first = names[0]
    for name in names[1:]:
        a, b = parts[first], parts[name]
        if is_stream(a) or is_stream(b):
            raise AnyclrError(
                f"[data.{name}]: streams cannot be paired sample by sample ({split} split of {first!r} or {name!r} is a stream).",
                "Pair map-style datasets, or use a dataset that yields paired samples itself.",
            )
        if len(a) != len(b):
            raise AnyclrError(
                f"The paired streams differ in length: [data.{first}] has {len(a)} {split} samples, [data.{name}] has {len(b)}.",
                "Pair datasets that hold the same samples in the same order (same split settings and seed).",
            )
        ma, mb = metadata_of(a), metadata_of(b)
        key = "id" if "id" in ma and "id" in mb else "label"
        va, vb = list(map(_plain, ma[key])), list(map(_plain, mb[key]))
        for i, (x, y) in enumerate(zip(va, vb, strict=True)):
            if key == "label" and (x < 0 or y < 0):
                continue
            if x != y:
                raise AnyclrError(
                    f"The paired streams differ in order: {split} sample {i} has {key} {x!r} in [data.{first}] but {y!r} in [data.{name}].",
                    "Pair datasets that hold the same samples in the same order (same split settings and seed).",
                )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, torch.Tensor) else value


def pair_bundles(bundles: dict[str, DataBundle]) -> DataBundle:
    """Zip the bundles of a recipe's ``[data.<stream>]`` tables into one paired bundle."""
    names = list(bundles)
    if len(names) < 2:
        raise AnyclrError("A paired [data] needs two or more [data.<stream>] tables.", "e.g. [data.image] and [data.series].")
    has_test = [bundles[n].test is not None for n in names]
    if any(has_test) and not all(has_test):
        missing = [n for n, t in zip(names, has_test, strict=True) if not t]
        raise AnyclrError(f"[data.{missing[0]}] has no test split but other streams do.", "Give every stream a test split, or none.")
    check_aligned({n: bundles[n].train for n in names}, "train")
    if all(has_test):
        check_aligned({n: bundles[n].test for n in names}, "test")
    streams = {n: Stream(dict(b.info), b.collate, b.raw_features) for n, b in bundles.items()}
    return DataBundle(
        train=PairedSamples({n: b.train for n, b in bundles.items()}),
        test=PairedSamples({n: b.test for n, b in bundles.items()}) if all(has_test) else None,
        collate=PairedCollate(streams),
        info={"modality": "paired", "streams": names, **_shared_label_info(bundles)},
        streams=streams,
        max_bad_fraction=max(b.max_bad_fraction for b in bundles.values()),
    )


def _shared_label_info(bundles: dict[str, DataBundle]) -> dict[str, Any]:
    first = next(iter(bundles.values())).info
    return {k: first[k] for k in ("num_classes", "class_names") if k in first}
