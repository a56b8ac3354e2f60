"""Sinkhorn-Knopp: soft, equipartitioned assignments of samples to prototypes (SwAV)."""

from __future__ import annotations

import torch


@torch.no_grad()
def sinkhorn(
    scores: torch.Tensor,
    epsilon: float = 0.05,
    iterations: int = 3,
    rows: slice | None = None,
    out: torch.Tensor | None = None,
) -> torch.Tensor:
    """Return codes ``[B, K]`` (rows sum to 1) from prototype scores ``[B, K]`` (Caron et al. 2020, Alg. 1).

    Alternately normalises prototypes to equal mass ``1/K`` and samples to equal mass ``1/B``.
    Call it on the scores of the whole (gathered) batch so every rank computes the same codes;
    ``rows`` picks the rows to return (this rank's samples, not the queue's), ``out`` receives them.
    """
    scores = scores.float() if scores.dtype in (torch.float16, torch.bfloat16) else scores
    n = scores.shape[0]
    whole = rows is None or range(n)[rows] == range(n)
    # E = exp((S - max S) / eps) in one pass (into ``out`` when it gets every row); subtracting a constant
    # changes nothing after normalisation but keeps exp() finite.
    e = torch.add(-scores.max() / epsilon, scores, alpha=1.0 / epsilon, out=out if whole else None).exp_()
    part = e if whole else e[rows]
    if iterations < 1:
        scale = n / e.sum()
        return e.mul_(scale) if whole else torch.mul(part, scale, out=out)
    # Q = diag(u) E diag(v): each normalisation only rescales u or v, so an iteration costs two
    # matrix-vector products instead of rewriting Q. The constant masses 1/K and 1/B cancel in the end.
    u = None
    for i in range(iterations):
        v = (e.sum(0) if u is None else u @ e).reciprocal_()  # every prototype the same mass
        if i + 1 < iterations:
            u = (e @ v).reciprocal_()  # every sample the same mass
    # The last sample normalisation, for the returned rows only: row i is E_i * v / (E_i . v).
    norm = (part @ v)[:, None]
    return (e.mul_(v) if whole else torch.mul(part, v, out=out)).div_(norm)
