"""COLA: segments of the same clip are positives, scored by a learned bilinear similarity against the batch."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.objective import Objective
from anyclr.losses import check_embeddings, full_precision, gather_views, share_of_mean


class COLA(Objective):
    """COLA (Saeed, Grangier & Zeghidour 2021, arXiv 2010.10915): contrastive learning of general-purpose audio.

    Anchor ``a_i`` (view 0 of clip ``i``) against the candidates ``p_j`` (view 1 of every clip ``j`` in the
    global batch), scored by the bilinear similarity ``s(a, p) = a^T W p`` with a learned ``W`` (no
    normalisation, no temperature)::

        loss = -1/B sum_i log exp(s(a_i, p_i)) / sum_j exp(s(a_i, p_j))

    ``symmetric`` also scores view 1 against view 0 (``p_i^T W^T a_j``) and averages both directions. COLA's
    embeddings come from a Linear-LayerNorm-tanh projection (the ``cola`` head). Candidates are gathered from
    all ranks with gradient.

    Args:
        embed_dim: width of the embeddings (filled in from the head's ``out_dim``).
        symmetric: add the view-1-to-view-0 direction (default False, as in COLA).
    """

    def __init__(self, embed_dim: int = 512, symmetric: bool = False) -> None:
        super().__init__()
        self.similarity = nn.Linear(embed_dim, embed_dim, bias=False)  # W (Glorot-style default init, as COLA's Dense)
        nn.init.xavier_uniform_(self.similarity.weight)
        self.symmetric = bool(symmetric)

    def scores(self, anchors: torch.Tensor, candidates: torch.Tensor, transpose: bool = False) -> torch.Tensor:
        """Return ``[A, M]`` bilinear similarities ``a^T W c`` (``a^T W^T c`` with ``transpose``)."""
        w = self.similarity.weight  # nn.Linear computes x W^T, so a^T W c is a @ W @ c^T
        return (anchors @ (w.T if transpose else w)) @ candidates.T

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean cross-entropy of every anchor against the global batch's candidates."""
        check_embeddings(z, "cola")
        g = gather_views(z[:2], normalize=False)
        b = g.local_batch
        targets = torch.arange(b, device=g.local.device) + g.offset
        total = F.cross_entropy(self.scores(g.local[0], g.full[1]), targets, reduction="sum")
        if self.symmetric:
            total = (total + F.cross_entropy(self.scores(g.local[1], g.full[0], transpose=True), targets, reduction="sum")) / 2
        return share_of_mean(total, b)

    def extra_repr(self) -> str:
        return f"symmetric={self.symmetric}"
