"""Debiased contrastive loss: corrects the negatives for same-class samples (and, with beta > 0, HCL's hard-negative weighting)."""

from __future__ import annotations

import math

import torch

from anyclr.core.objective import Objective
from anyclr.losses import (
    check_embeddings,
    check_temperature,
    full_precision,
    gather_views,
    masked_logsumexp,
    share_of_mean,
    view_pairs,
)


class Debiased(Objective):
    """Debiased contrastive loss (Chuang et al. 2020, arXiv 2007.00224); HCL when ``beta > 0``.

    For anchor ``i`` and each positive ``p`` (another view of its sample), with ``pos = exp(s_ip / tau)``
    and the ``N`` negatives ``neg_k = exp(s_ik / tau)`` (every view of every other sample, all ranks)::

        Ng = max((R - N * tau_plus * pos) / (1 - tau_plus), N * exp(-1 / tau))
        loss_ip = -log pos / (pos + Ng)

    with ``R = sum_k neg_k`` (debiased), or ``R = N * sum_k w_k neg_k / sum_k w_k``, ``w_k = neg_k ** beta``
    (hard negatives, Robinson et al. 2021, arXiv 2010.04592; the weights are not detached, as in the paper's
    code). ``loss_i`` averages over ``p``; the loss averages over all anchors.

    Args:
        temperature: ``tau`` (default 0.5, the papers' CIFAR value).
        tau_plus: class prior ``tau+``, the chance that a negative shares the anchor's class (default 0.1).
        beta: hardness concentration; 0 gives the debiased loss (default 0).
    """

    def __init__(self, temperature: float = 0.5, tau_plus: float = 0.1, beta: float = 0.0) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        if not 0 <= tau_plus < 1:
            raise ValueError(f"tau_plus must be in [0, 1), got {tau_plus}")
        if beta < 0:
            raise ValueError(f"beta must be non-negative, got {beta}")
        self.temperature, self.tau_plus, self.beta = float(temperature), float(tau_plus), float(beta)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean debiased (or hard-negative) contrastive loss over all views of the (global) batch."""
        check_embeddings(z, "hcl" if self.beta else "debiased")
        g = gather_views(z)
        v, b, m, dim = g.n_views, g.local_batch, g.global_batch, g.local.shape[-1]
        tau = self.temperature
        anchors, candidates = g.local.reshape(v * b, dim), g.full.reshape(v * m, dim)
        self_index, positives = view_pairs(g)
        excluded = torch.cat([self_index[:, None], positives], dim=1)
        n_neg = v * (m - 1)
        if self.beta:
            # sum_k w_k neg_k / sum_k w_k with w = neg^beta, as a difference of two log-sum-exps (one [A, M] matrix each)
            log_weighted = masked_logsumexp(anchors, candidates, excluded, (1 + self.beta) / tau)
            log_weights = masked_logsumexp(anchors, candidates, excluded, self.beta / tau)
            reweighted = n_neg * torch.exp(log_weighted - log_weights)
        else:
            reweighted = torch.exp(masked_logsumexp(anchors, candidates, excluded, 1 / tau))
        pos_sim = torch.einsum("abd,cbd->acb", g.local, g.local)  # [V, V, B]
        off_diagonal = ~torch.eye(v, dtype=torch.bool, device=pos_sim.device)
        pos = torch.exp(pos_sim[off_diagonal].reshape(v, v - 1, b) / tau).permute(0, 2, 1).reshape(v * b, v - 1)
        ng = (reweighted[:, None] - n_neg * self.tau_plus * pos) / (1 - self.tau_plus)
        ng = ng.clamp(min=n_neg * math.exp(-1 / tau))
        per_anchor = -torch.log(pos / (pos + ng)).mean(1)
        return share_of_mean(per_anchor.sum(), v * b)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, tau_plus={self.tau_plus}, beta={self.beta}"
