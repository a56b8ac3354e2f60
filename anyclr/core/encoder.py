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
