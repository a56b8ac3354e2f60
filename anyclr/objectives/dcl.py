"""DCL and DCLW: contrastive loss with the positive decoupled from the denominator (optionally weighted)."""

from __future__ import annotations

import torch

from anyclr.core.objective import Objective
from anyclr.losses import (
    check_embeddings,
    check_temperature,
    full_precision,
    gather_batch,
    gather_views,
    masked_logsumexp,
    share_of_mean,
    view_pairs,
)


class DCL(Objective):
    """Decoupled contrastive loss (Yeh et al. 2022, arXiv 2110.06848); DCLW with ``weighted=True``.

    For anchor ``i`` with positives ``P(i)`` (the other views of its sample) and negatives ``N(i)``
    (every view of every other sample, gathered from all ranks)::

        loss_i = mean_{p in P(i)} [-w_ip * s_ip / tau] + log sum_{k in N(i)} exp(s_ik / tau)

    DCL has ``w = 1``; DCLW uses ``w_ip = 2 - exp(s_ip / sigma) / mean_n exp(s_np / sigma)``, the mean taken
    over the batch's pairs of the same two views (as in the paper and LightlySSL; not detached).

    Args:
        temperature: ``tau`` (default 0.1).
        weighted: use DCLW's von Mises-Fisher weighting of the positive (default False).
        sigma: DCLW's weighting temperature (default 0.5).
    """

    def __init__(self, temperature: float = 0.1, weighted: bool = False, sigma: float = 0.5) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0 or sigma <= 0:
            raise ValueError(f"temperature and sigma must be positive, got {temperature}, {sigma}")
        self.temperature, self.weighted, self.sigma = float(temperature), bool(weighted), float(sigma)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean (weighted) decoupled contrastive loss over all views of the (global) batch."""
        name = "dclw" if self.weighted else "dcl"
        check_embeddings(z, name)
        g = gather_views(z)
        v, b, m, dim = g.n_views, g.local_batch, g.global_batch, g.local.shape[-1]
        self_index, positives = view_pairs(g)
        excluded = torch.cat([self_index[:, None], positives], dim=1)
        negatives = masked_logsumexp(g.local.reshape(v * b, dim), g.full.reshape(v * m, dim), excluded, 1 / self.temperature)
        # positive similarity of view a with view c of the same local sample: [V, V, B]
        pos_sim = torch.einsum("abd,cbd->acb", g.local, g.local)
        weight = torch.ones_like(pos_sim)
        if self.weighted:
            full_pos, _ = gather_batch(pos_sim.permute(2, 0, 1))  # [M, V, V], with gradient
            norm = torch.exp(full_pos / self.sigma).mean(0)[..., None]
            weight = 2 - torch.exp(pos_sim / self.sigma) / norm
        off_diagonal = ~torch.eye(v, dtype=torch.bool, device=pos_sim.device)
        positive = (weight * pos_sim)[off_diagonal].reshape(v, v - 1, b).mean(1).reshape(v * b)
        per_anchor = negatives - positive / self.temperature
        return share_of_mean(per_anchor.sum(), v * b)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, weighted={self.weighted}, sigma={self.sigma}"


def dclw(temperature: float = 0.1, sigma: float = 0.5) -> DCL:
    """DCLW: decoupled contrastive loss with the positive weighted by a von Mises-Fisher term."""
    return DCL(temperature=temperature, weighted=True, sigma=sigma)
