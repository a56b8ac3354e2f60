"""Barlow Twins: push the cross-correlation of two views' standardised embeddings towards the identity."""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F

from anyclr.core.objective import Objective
from anyclr.losses import check_embeddings, full_precision, gather_each


class BarlowTwins(Objective):
    """Barlow Twins (Zbontar et al. 2021, arXiv 2103.03230)::

        Z_a = (Z_a - mean) / std   (per dimension, over the batch)
        C = Z_1^T Z_2 / N
        loss = sum_i (1 - C_ii)^2 + lam * sum_{i != j} C_ij^2

    The batch statistics and ``C`` use the whole batch gathered from all ranks (every rank computes the full
    loss); ``std`` is the unbiased one, as in the paper's pseudocode. With more than two views the loss is
    averaged over all pairs of views.

    Args:
        lam: weight of the redundancy-reduction (off-diagonal) term (default 5e-3).
    """

    def __init__(self, lam: float = 5e-3) -> None:
        super().__init__()
        if lam < 0:
            raise ValueError(f"lam must be non-negative, got {lam}")
        self.lam = float(lam)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the Barlow Twins loss over the (global) batch."""
        check_embeddings(z, "barlow")
        full = gather_each(z)
        n = full[0].shape[0]
        # batch_norm's fused kernel standardises with the biased std; (n - 1) / n turns C into the unbiased one.
        standard = [F.batch_norm(view, None, None, training=True, eps=1e-12) for view in full]
        pairs = list(itertools.combinations(range(len(full)), 2))
        total = full[0].new_zeros(())
        for a, c in pairs:
            corr = standard[a].T @ standard[c]
            corr = corr * ((n - 1) / n / n)
            diagonal = torch.diagonal(corr)
            total = total + (diagonal - 1).pow(2).sum() + self.lam * (corr.pow(2).sum() - diagonal.pow(2).sum())
        return total / len(pairs)

    def extra_repr(self) -> str:
        return f"lam={self.lam}"
