"""SupCon: supervised contrastive loss; every view of every same-label sample is a positive."""

from __future__ import annotations

import torch

from anyclr.core.objective import Objective
from anyclr.losses import (
    anchor_index,
    check_embeddings,
    check_labels,
    check_temperature,
    full_precision,
    gather_no_grad,
    gather_views,
    multi_positive_nce,
    share_of_mean,
)


class SupCon(Objective):
    """Supervised contrastive loss, ``L_out`` form (Khosla et al. 2020, arXiv 2004.11362).

    For anchor ``i`` (any view of any sample), ``P(i)`` is every other view of every sample with the
    same label (its own other views included)::

        loss_i = -1/|P(i)| sum_{p in P(i)} log exp(s_ip / tau) / sum_{a != i} exp(s_ia / tau)

    averaged over all anchors of the (gathered) batch. Needs a label for every sample.

    Args:
        temperature: softmax temperature ``tau`` (default 0.1).
    """

    needs_labels = True

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.temperature = float(temperature)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean SupCon loss over all views of the (global) batch."""
        check_embeddings(z, "supcon")
        labels = check_labels(labels, z[0].shape[0], "supcon").to(z[0].device)
        g = gather_views(z)
        v, b, m, dim = g.n_views, g.local_batch, g.global_batch, g.local.shape[-1]
        all_labels = gather_no_grad(labels)
        sample, view = anchor_index(g)
        self_index = view * m + sample
        col_labels = all_labels.repeat(v)
        positives = all_labels[sample][:, None] == col_labels[None, :]
        positives[torch.arange(v * b, device=positives.device), self_index] = False
        per_anchor = multi_positive_nce(g.local.reshape(v * b, dim), g.full.reshape(v * m, dim), self_index, positives, self.temperature)
        return share_of_mean(per_anchor.sum(), v * b)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
