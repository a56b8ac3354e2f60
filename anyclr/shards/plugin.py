"""Registers the ``shards`` dataset and the generic ``tensor`` codec through the ``anyclr`` entry point (``shards``)."""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the WebDataset shard reader."""
    from anyclr.shards.reader import shards

    return [Component("shards", shards, summary="WebDataset tar shards written by `anyclr shard` (a stream: train with trainer.max_steps).")]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return the generic codec."""
    from anyclr.shards.tensor_codec import tensor_codec

    return [Component("tensor", tensor_codec, summary="Tensors (or dicts of tensors) as .npy files.")]
