"""CoLES's loss: a margin contrastive loss on all positive pairs and each anchor's hardest negatives."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.objective import Objective, views_in_one_batch
from anyclr.losses import check_embeddings, full_precision, gather_views, share_of_mean, view_pairs
from anyclr.plugins.events.batch import EventBatch, cat_batches

EPS = 1e-6  # inside the distance, as torch.nn.functional.pairwise_distance (and pytorch-lifestream) add it


class CoLES(Objective):
    """The contrastive loss of CoLES (Babaev et al. 2022, arXiv 2002.08232; pytorch-lifestream's
    ``ContrastiveLoss`` with ``HardNegativePairSelector``).

    Embeddings are L2-normalised (CoLES's ``Head(use_norm_encoder=True)``). The views of one entity (its
    slices) are positives; for every anchor, its ``neg_count`` nearest views of other entities are its hard
    negatives. With ``d(a, b) = ||a - b + eps||`` over the ``N`` anchors of the (global) batch::

        loss = 1/N ( sum_{positive pairs {i, j}} d_ij^2 + sum_i sum_{n in hard(i)} max(0, margin - d_in)^2 )

    which is pytorch-lifestream's summed loss divided by ``N`` (its sum over columns of the ``neg_count``
    nearest rows is, by symmetry, each anchor's nearest negatives). Across processes, negatives are mined
    among all ranks' views, with gradients flowing back to the rank each came from.

    Args:
        margin: how far apart negatives are pushed (default 0.5, CoLES's).
        neg_count: hard negatives per anchor (default 5, CoLES's).
        normalize: L2-normalise the embeddings first (default True).

    Example::

        loss = CoLES()([z_slice1, z_slice2, z_slice3])
    """

    def __init__(self, margin: float = 0.5, neg_count: int = 5, normalize: bool = True) -> None:
        super().__init__()
        if margin <= 0:
            raise ValueError(f"margin must be positive, got {margin}")
        if neg_count < 1:
            raise ValueError(f"neg_count must be at least 1, got {neg_count}")
        self.margin = float(margin)
        self.neg_count = int(neg_count)
        self.normalize = bool(normalize)

    def training_step(self, views: list[Any] | dict[str, list[Any]], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Encode all slices in one pass (one padded batch: per-step overhead, not width, dominates a GRU on CPU)."""
        if isinstance(views, list) and len(views) > 1 and all(isinstance(v, EventBatch) for v in views) and views_in_one_batch():
            self.check(views, labels)
            z = encoder(cat_batches(views))
            return self(list(z.chunk(len(views))), labels)
        return super().training_step(views, encoder, labels)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean CoLES loss per view of the (global) batch."""
        check_embeddings(z, "coles")
        g = gather_views(z, normalize=self.normalize)
        v, b, m = g.n_views, g.local_batch, g.global_batch
        dim = g.local.shape[-1]
        anchors = g.local.reshape(v * b, dim)
        candidates = g.full.reshape(v * m, dim)
        self_index, positives = view_pairs(g)
        with torch.no_grad():  # mining only: which negatives are nearest
            distance = torch.cdist(anchors.detach(), candidates.detach())
            blocked = torch.zeros_like(distance, dtype=torch.bool)
            blocked.scatter_(1, self_index.unsqueeze(1), True)
            blocked.scatter_(1, positives, True)
            k = min(self.neg_count, v * (m - 1))
            hard = distance.masked_fill(blocked, float("inf")).topk(k, dim=1, largest=False).indices
        positive = _distance(anchors, candidates[positives]).pow(2)  # [VB, V-1]: each pair seen from both ends
        negative = F.relu(self.margin - _distance(anchors, candidates[hard])).pow(2)  # [VB, k]
        per_anchor = 0.5 * positive.sum(1) + negative.sum(1)
        return share_of_mean(per_anchor.sum(), v * b)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, neg_count={self.neg_count}, normalize={self.normalize}"


def _distance(anchors: torch.Tensor, others: torch.Tensor) -> torch.Tensor:
    """Return ``||a - o + eps||`` between each anchor ``[A, D]`` and its rows of ``others [A, K, D]``."""
    return (anchors.unsqueeze(1) - others + EPS).norm(dim=-1)
