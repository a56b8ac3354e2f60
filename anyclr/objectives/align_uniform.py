"""Alignment + uniformity on the hypersphere (Wang & Isola 2020)."""

from __future__ import annotations

import itertools

import torch

from anyclr.core.objective import Objective
from anyclr.losses import check_embeddings, full_precision, gather_views


class AlignUniform(Objective):
    """Alignment plus uniformity of normalised embeddings (Wang & Isola 2020, arXiv 2005.10242)::

        loss = mean_{pairs of views} E_i |f(x_i) - f(y_i)|^alpha
             + lam * mean_{views} log E_{i<j} exp(-t |f(x_i) - f(x_j)|^2)

    Uniformity uses the whole batch gathered from all ranks (the log of a mean does not split across
    ranks), so every rank computes the full loss.

    Args:
        alpha: alignment exponent (default 2).
        t: uniformity kernel scale (default 2).
        lam: weight of the uniformity term (default 1).
    """

    def __init__(self, alpha: float = 2.0, t: float = 2.0, lam: float = 1.0) -> None:
        super().__init__()
        if alpha <= 0 or t <= 0:
            raise ValueError(f"alpha and t must be positive, got {alpha}, {t}")
        self.alpha, self.t, self.lam = float(alpha), float(t), float(lam)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return alignment + lam * uniformity over the (global) batch."""
        check_embeddings(z, "align-uniform")
        full = gather_views(z).full  # [V, M, D]
        pairs = list(itertools.combinations(range(full.shape[0]), 2))
        align = sum((full[a] - full[c]).norm(dim=1).pow(self.alpha).mean() for a, c in pairs) / len(pairs)
        uniform = sum(torch.pdist(view).pow(2).mul(-self.t).exp().mean().log() for view in full) / full.shape[0]
        return align + self.lam * uniform

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, t={self.t}, lam={self.lam}"
