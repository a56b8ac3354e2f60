"""NT-Xent (SimCLR's normalised temperature-scaled cross entropy), multi-positive for more than two views."""

from __future__ import annotations

import torch

from anyclr.core.objective import Objective
from anyclr.losses import (
    check_embeddings,
    check_temperature,
    full_precision,
    gather_views,
    multi_positive_nce,
    share_of_mean,
    view_pairs,
)


class NTXent(Objective):
    """NT-Xent / InfoNCE (Chen et al. 2020, arXiv 2002.05709), multi-positive for V > 2 views.

    Every view of every sample is an anchor; its positives are the other views of the same sample,
    its negatives every other view in the batch (gathered from all ranks, with gradient). For anchor ``i``::

        loss_i = -1/|P(i)| sum_{p in P(i)} log exp(s_ip / tau) / sum_{a != i} exp(s_ia / tau)

    averaged over all anchors (Khosla et al. 2020's multi-positive form; for V = 2 it is SimCLR's loss).

    Args:
        temperature: softmax temperature ``tau`` (default 0.2, SimCLR's CIFAR value).

    Example::

        loss = NTXent(temperature=0.2)([z1, z2])
    """

    def __init__(self, temperature: float = 0.2) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.temperature = float(temperature)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean NT-Xent loss over all views of the (global) batch."""
        check_embeddings(z, "ntxent")
        g = gather_views(z)
        v, b, m = g.n_views, g.local_batch, g.global_batch
        dim = g.local.shape[-1]
        anchors = g.local.reshape(v * b, dim)  # row v*B + i: view v of local sample i
        candidates = g.full.reshape(v * m, dim)  # column w*M + j: view w of global sample j
        self_index, positives = view_pairs(g)
        per_anchor = multi_positive_nce(anchors, candidates, self_index, positives, self.temperature)
        return share_of_mean(per_anchor.sum(), v * b)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
