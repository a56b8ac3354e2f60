"""How one sample of a modality is written to a shard and read back: the ``codec`` component kind's contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class SampleCodec:
    """One modality's shard format: ``encode(input) -> {extension: bytes}`` and ``decode`` back.

    Extensions are WebDataset's (``png``, ``npy``, ``x.npy`` …): the files of one sample in a tar shard share a
    key and differ by extension. ``collate`` and ``raw_features`` are what the modality's datasets use to batch
    decoded inputs and to compute the raw-input baseline (defaults: stacking, flattened tensors). Functions
    must be module-level (DataLoader workers may need to pickle them).
    """

    encode: Callable[[Any], dict[str, bytes]]
    decode: Callable[[dict[str, bytes]], Any]
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None
    raw_features: Callable[[Any], torch.Tensor] | None = None
