"""Sinkhorn-Knopp: soft, equipartitioned assignments of samples to prototypes (SwAV)."""

from __future__ import annotations

import torch


@torch.no_grad()
def sinkhorn(scores: torch.Tensor, epsilon: float = 0.05, iterations: int = 3) -> torch.Tensor:
    """Return codes ``[B, K]`` (rows sum to 1) from prototype scores ``[B, K]`` (Caron et al. 2020, Alg. 1).

    Alternately normalises prototypes to equal mass ``1/K`` and samples to equal mass ``1/B``.
    Call it on the scores of the whole (gathered) batch so every rank computes the same codes.
    """
    scores = scores.float() if scores.dtype in (torch.float16, torch.bfloat16) else scores
    # Subtracting the max changes nothing after normalisation but keeps exp() finite.
    q = torch.exp((scores - scores.max()) / epsilon).T  # [K, B]
    q /= q.sum()
    k, b = q.shape
    for _ in range(iterations):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    return (q * b).T
