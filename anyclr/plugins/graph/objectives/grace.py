"""GRACE's loss (Zhu et al. 2020, arXiv 2006.04131): node-level contrast with inter- and intra-view negatives.

For node ``i`` with embeddings ``u_i`` (view 1) and ``v_i`` (view 2), ``θ`` cosine similarity::

    l(u_i, v_i) = -log  e^{θ(u_i,v_i)/τ}  /  ( e^{θ(u_i,v_i)/τ} + Σ_{k≠i} e^{θ(u_i,v_k)/τ} + Σ_{k≠i} e^{θ(u_i,u_k)/τ} )
    J = 1/(2N) Σ_i [ l(u_i, v_i) + l(v_i, u_i) ]

— every other node of both views is a negative, which makes ``J`` NT-Xent over the two views' nodes.
The embeddings are the head's outputs (GRACE's two-layer projection). More than two views: the mean
over view pairs. Across processes the other nodes are gathered with gradient.

Usage::

    loss = GRACE(temperature=0.5)([u, v])
"""

from __future__ import annotations

import torch

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective
from anyclr.losses import (
    GatheredViews,
    check_embeddings,
    check_temperature,
    full_precision,
    gather_views,
    multi_positive_nce,
    share_of_mean,
    view_pairs,
)


class GRACE(Objective):
    """GRACE's node-level loss: positives are the same node in the other view; all other nodes of both views are negatives.

    Args:
        temperature: τ (default 0.5; GRACE tunes 0.4–0.9 per dataset).
    """

    def __init__(self, temperature: float = 0.5) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise AnyclrError(f"objective.temperature must be positive, got {temperature}.")
        self.temperature = float(temperature)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss from the node embeddings of each view (``[B, D]`` each)."""
        if z and z[0].dim() == 2 and z[0].shape[0] < 2:
            raise AnyclrError("GRACE needs at least 2 nodes per batch.", "Raise trainer.batch_size.")
        check_embeddings(z, "GRACE")
        g = gather_views(z)
        v, b = g.n_views, g.local_batch
        pairs = [(a, c) for a in range(v) for c in range(a + 1, v)]
        total = 0.0
        for a, c in pairs:
            pair = g if v == 2 else GatheredViews(g.local[[a, c]], g.full[[a, c]], g.offset)
            self_index, positives = view_pairs(pair)  # the node in the other view; both views' other nodes are negatives
            per_node = multi_positive_nce(pair.local.flatten(0, 1), pair.full.flatten(0, 1), self_index, positives, self.temperature)
            total = total + per_node.sum()
        return share_of_mean(total, len(pairs) * 2 * b)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
