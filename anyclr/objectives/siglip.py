"""SigLIP: a sigmoid loss on every pair of a batch, with a learned scale and bias."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.objective import Objective
from anyclr.losses import full_precision, gather_views, share_of_mean
from anyclr.objectives.clip import check_pair, encode_pair


class SigLIP(Objective):
    """Sigmoid loss for language-image pre-training (Zhai et al. 2023, arXiv 2303.15343)::

        loss = -1/N sum_i sum_j log sigmoid(z_ij * (t * a_i . b_j + bias)),  z_ii = 1, else -1

    on normalised embeddings ``a = z[0]``, ``b = z[1]``; ``t = exp(t')``. Each rank scores its own ``a``
    against every ``b`` gathered from all ranks (with gradient), so N ranks equal one process.

    Args:
        init_scale: initial ``t`` (default 10, i.e. ``t' = log 10``).
        init_bias: initial bias (default -10).
    """

    def __init__(self, init_scale: float = 10.0, init_bias: float = -10.0) -> None:
        super().__init__()
        if init_scale <= 0:
            raise ValueError(f"init_scale must be positive, got {init_scale}")
        self.logit_scale = nn.Parameter(torch.tensor(math.log(init_scale)))
        self.logit_bias = nn.Parameter(torch.tensor(float(init_bias)))

    min_streams = 2  # two modalities, one encoder each ([encoder.<stream>])
    max_streams = 2

    def training_step(self, views: list[Any] | dict[str, list[Any]], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Encode the two inputs (one encoder, or one each; or the two streams of paired data) and return the loss."""
        if not isinstance(views, dict):
            self.check(views, labels)
        return self(encode_pair(views, encoder), labels)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the pairwise sigmoid loss over the (global) batch."""
        check_pair(z, "siglip")
        g = gather_views(z)
        b, m = g.local_batch, g.global_batch
        logits = self.logit_scale.exp() * g.local[0] @ g.full[1].T + self.logit_bias
        sign = -torch.ones(b, m, dtype=logits.dtype, device=logits.device)
        sign[torch.arange(b), torch.arange(b) + g.offset] = 1
        return share_of_mean(-F.logsigmoid(sign * logits).sum(), b)
