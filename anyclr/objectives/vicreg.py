"""VICReg: invariance between views, variance kept above a margin, covariance between dimensions pushed to zero."""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F

from anyclr.core.objective import Objective
from anyclr.losses import check_embeddings, full_precision, gather_each


def variance_term(x: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """``mean_j max(0, 1 - sqrt(Var x^j + eps))`` (unbiased variance over the batch)."""
    return F.relu(1 - torch.sqrt(x.var(dim=0) + eps)).mean()


def covariance_term(x: torch.Tensor) -> torch.Tensor:
    """``sum_{i != j} Cov(x)_ij^2 / d``."""
    n, d = x.shape
    x = x - x.mean(dim=0)
    cov = x.T @ x / (n - 1)
    return (cov.pow(2).sum() - torch.diagonal(cov).pow(2).sum()) / d


class VICReg(Objective):
    """VICReg (Bardes et al. 2021, arXiv 2105.04906)::

        loss = lam * mean |z - z'|^2 + mu * [v(Z) + v(Z')] + nu * [c(Z) + c(Z')]

    as in the paper's equation (the official code halves the variance term; scale ``mu`` to match it).
    Statistics use the whole batch gathered from all ranks (every rank computes the full loss). With
    ``V > 2`` views the invariance term averages over pairs of views and the others are ``2/V * sum`` over views.

    Args:
        lam: invariance weight (default 25).
        mu: variance weight (default 25).
        nu: covariance weight (default 1).
        eps: added to the variance before the square root (default 1e-4).
    """

    def __init__(self, lam: float = 25.0, mu: float = 25.0, nu: float = 1.0, eps: float = 1e-4) -> None:
        super().__init__()
        self.lam, self.mu, self.nu, self.eps = float(lam), float(mu), float(nu), float(eps)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the VICReg loss over the (global) batch."""
        check_embeddings(z, "vicreg")
        full = gather_each(z)
        v = len(full)
        pairs = list(itertools.combinations(range(v), 2))
        invariance = sum(F.mse_loss(full[a], full[c]) for a, c in pairs) / len(pairs)
        variance = sum(variance_term(view, self.eps) for view in full) * 2 / v
        covariance = sum(covariance_term(view) for view in full) * 2 / v
        return self.lam * invariance + self.mu * variance + self.nu * covariance

    def extra_repr(self) -> str:
        return f"lam={self.lam}, mu={self.mu}, nu={self.nu}"
