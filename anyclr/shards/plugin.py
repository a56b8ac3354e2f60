"""Registers the ``shards`` dataset and the generic ``tensor`` codec through the ``anyclr`` entry point (``shards``)."""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the WebDataset shard reader."""
    return [Component("shards", "anyclr.shards.reader:shards", summary="WebDataset tar shards written by `anyclr shard` (a stream: train with trainer.max_steps).")]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return the generic codec."""
    return [Component("tensor", "anyclr.shards.tensor_codec:tensor_codec", summary="Tensors (or dicts of tensors) as .npy files.")]
