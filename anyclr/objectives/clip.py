"""CLIP: symmetric InfoNCE between two embedding batches (two modalities, or two views) with a learned temperature."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.objective import Objective, encode_streams, encode_views
from anyclr.losses import check_embeddings, check_temperature, full_precision, gather_views, share_of_mean


def encode_pair(views: list[Any] | dict[str, list[Any]], encoder: nn.Module) -> list[torch.Tensor]:
    """Encode two inputs with one encoder, input ``k`` with ``encoder[k]`` for a pair of encoders, or each stream with its own."""
    if isinstance(views, dict):
        return encode_streams(encoder, views)
    if isinstance(encoder, (list, tuple, nn.ModuleList)) and len(encoder) == 2:
        return [encoder[0](views[0]), encoder[1](views[1])]
    return encode_views(encoder, views)


def check_pair(z: list[torch.Tensor], owner: str) -> None:
    """Raise unless ``z`` is exactly two ``[B, D]`` batches of the same shape."""
    check_embeddings(z, owner)
    if len(z) != 2:
        from anyclr.core.errors import AnyclrError

        raise AnyclrError(f"{owner} contrasts exactly 2 embedding batches (z[0] with z[1]) but got {len(z)}.", "Set views.n_views = 2.")


class CLIP(Objective):
    """CLIP's contrastive loss (Radford et al. 2021): ``z[0]`` from modality A, ``z[1]`` from modality B::

        logits = t * A B^T   (normalised embeddings, t = exp(logit_scale))
        loss = (CE(logits, arange) + CE(logits^T, arange)) / 2

    ``logit_scale`` is learned, starts at ``log(1 / init_temperature)`` and is capped at ``log(max_scale)``
    after each step. Negatives come from the whole batch, gathered from all ranks with gradient.
    :meth:`training_step` takes one encoder for both inputs or a pair of encoders ``(encoder_a, encoder_b)``.

    Args:
        init_temperature: initial temperature ``1/t`` (default 0.07).
        max_scale: cap on ``t`` (default 100).
        learn_temperature: train ``logit_scale`` (default True).
    """

    def __init__(self, init_temperature: float = 0.07, max_scale: float = 100.0, learn_temperature: bool = True) -> None:
        super().__init__()
        check_temperature(init_temperature, "objective.init_temperature")
        if init_temperature <= 0 or max_scale <= 0:
            raise ValueError(f"init_temperature and max_scale must be positive, got {init_temperature}, {max_scale}")
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / init_temperature)), requires_grad=learn_temperature)
        self.max_scale = float(max_scale)

    min_streams = 2  # two modalities, one encoder each ([encoder.<stream>]); two views of one stream: use ntxent
    max_streams = 2

    def training_step(self, views: list[Any] | dict[str, list[Any]], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Encode the two inputs (one encoder, or one each; or the two streams of paired data) and return the loss."""
        if not isinstance(views, dict):
            self.check(views, labels)
        return self(encode_pair(views, encoder), labels)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the symmetric cross-entropy over the (global) batch."""
        check_pair(z, "clip")
        g = gather_views(z)
        b = g.local_batch
        targets = torch.arange(b, device=g.local.device) + g.offset
        scale = self.logit_scale.exp()
        a_to_b = F.cross_entropy(scale * g.local[0] @ g.full[1].T, targets, reduction="sum")
        b_to_a = F.cross_entropy(scale * g.local[1] @ g.full[0].T, targets, reduction="sum")
        return share_of_mean((a_to_b + b_to_a) / 2, b)

    @torch.no_grad()
    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Cap the learned scale (as OpenCLIP does after each step)."""
        self.logit_scale.clamp_(max=math.log(self.max_scale))
