"""Poly-view contrastive loss: one view against the set of the sample's other views (M > 2 views)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from anyclr.core.objective import Objective
from anyclr.losses import check_embeddings, check_temperature, full_precision, gather_views, share_of_mean

AGGREGATIONS = ("arithmetic", "geometric", "sufficient")


class PolyView(Objective):
    """Poly-view contrastive learning (Shidani et al. 2024, arXiv 2403.05490).

    With ``V`` views per sample, view ``a`` of sample ``i`` is matched against the *rest* of sample
    ``j``'s views through a one-vs-rest critic ``f_a(i, j)``, in an InfoNCE over the samples ``j`` of the
    (gathered) batch::

        loss_{i,a} = -log exp(f_a(i, i)) / sum_j exp(f_a(i, j))

    averaged over views and samples. The critic aggregates ``s(z_ia, z_jb) / tau`` over ``b != a``:

    - ``arithmetic``: ``log mean_b exp(s / tau)`` (Arithmetic PVC),
    - ``geometric``: ``mean_b s / tau`` (Geometric PVC),
    - ``sufficient``: ``s(z_ia, mean_b z_jb) / tau``, cosine to the mean of the rest (sufficient statistics).

    Args:
        temperature: ``tau`` (default 0.1).
        aggregation: one of ``arithmetic``, ``geometric``, ``sufficient`` (default ``geometric``).
    """

    def __init__(self, temperature: float = 0.1, aggregation: str = "geometric") -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {', '.join(AGGREGATIONS)}, got {aggregation!r}")
        self.temperature, self.aggregation = float(temperature), aggregation

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean poly-view loss over all views of the (global) batch."""
        check_embeddings(z, "polyview")
        g = gather_views(z)
        v, b = g.n_views, g.local_batch
        tau = self.temperature
        total = g.full.sum(0)  # [M, D]
        targets = torch.arange(b, device=g.local.device) + g.offset
        losses = []
        for a in range(v):
            anchor = g.local[a]
            if self.aggregation == "geometric":
                critic = anchor @ ((total - g.full[a]) / (v - 1)).T / tau
            elif self.aggregation == "sufficient":
                critic = anchor @ F.normalize(total - g.full[a], dim=1).T / tau
            else:
                rest = torch.stack([anchor @ g.full[c].T / tau for c in range(v) if c != a])
                critic = torch.logsumexp(rest, dim=0) - math.log(v - 1)
            losses.append(F.cross_entropy(critic, targets, reduction="sum"))
        return share_of_mean(torch.stack(losses).sum(), v * b)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, aggregation={self.aggregation!r}"
