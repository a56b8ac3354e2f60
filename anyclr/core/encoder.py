"""An encoder is a backbone (the representation used downstream) plus a head (what the objective sees)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class Encoder(nn.Module):
    """Backbone + head. ``forward`` gives the head's output; :meth:`represent` gives pooled backbone features."""

    def __init__(self, backbone: nn.Module, head: nn.Module | None = None) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = head if head is not None else nn.Identity()

    @property
    def out_dim(self) -> int:
        """Width of the backbone's representation."""
        return int(self.backbone.out_dim)

    def forward(self, inputs: Any) -> torch.Tensor:
        """Return the projected embedding of a batch."""
        return self.head(self.backbone(inputs))

    def features(self, inputs: Any) -> torch.Tensor:
        """Return the backbone's raw output (possibly per-timestamp or per-node)."""
        return self.backbone(inputs)

    def represent(self, inputs: Any) -> torch.Tensor:
        """Return the ``[B, D]`` representation used for evaluation."""
        h = self.backbone(inputs)
        pool = getattr(self.backbone, "pool", None)
        return pool(h) if callable(pool) else h


class StreamEncoders(nn.ModuleDict):
    """One :class:`Encoder` per input stream of a paired run (``[encoder.<stream>]`` tables), by stream name.

    Checkpoints hold every encoder under ``encoder.<stream>.``; ``represent(inputs, stream)`` gives one stream's
    evaluation features, and an int index picks the encoders in stream order (``encoders[0]``).
    """

    def __getitem__(self, key: str | int) -> Encoder:
        if isinstance(key, int):
            key = list(self.keys())[key]
        return super().__getitem__(key)

    def forward(self, inputs: dict[str, Any]) -> dict[str, torch.Tensor]:
        """Return each stream's projected embedding."""
        return {name: encoder(inputs[name]) for name, encoder in self.items()}

    def represent(self, inputs: dict[str, Any], stream: str | None = None) -> torch.Tensor:
        """Return the ``[B, D]`` representation of ``stream``'s inputs (the first stream by default)."""
        name = stream or next(iter(self.keys()))
        return self[name].represent(inputs[name])

    @property
    def out_dim(self) -> int:
        """Width of the first stream's representation."""
        return self[0].out_dim
