"""NNCLR: contrast each view's nearest neighbour from a support set of past embeddings with the other view."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.objective import Objective, encode_views
from anyclr.losses import (
    Queue,
    check_embeddings,
    check_temperature,
    encodes_itself,
    float32_region,
    gather_batch,
    gather_no_grad,
    make_predictor,
    match_sync_batchnorm,
    predict,
    share_of_mean,
    upcast,
)


@torch.no_grad()
def nearest_neighbours(z: torch.Tensor, support: torch.Tensor) -> torch.Tensor:
    """Return, for each (normalised) row of ``z``, its most similar row of ``support`` (``z`` itself if empty)."""
    if support.shape[0] == 0:
        return z.detach()
    return support[(z @ support.T).argmax(dim=1)].to(z.dtype)


class NNCLR(Objective):
    """Nearest-Neighbour Contrastive Learning (Dwibedi et al. 2021, arXiv 2104.14548).

    For each ordered pair of views ``(a, c)``, the anchor is the nearest neighbour ``NN(z_a,i)`` of the
    online projection in the support set ``Q`` (no gradient); the positive is the prediction ``p_c,i``::

        loss_i = -log exp(NN(z_a,i) . p_c,i / tau) / sum_k exp(NN(z_a,i) . p_c,k / tau)

    over the ``p_c,k`` of the whole batch (gathered from all ranks, with gradient), averaged over pairs
    and samples. After each step the gathered projections of view 0 enter ``Q`` (oldest out). Before
    ``Q`` holds anything, ``NN(z) = z``. The support set is a buffer, saved in checkpoints.

    Args:
        embed_dim: width of the projection (filled in from the head's ``out_dim``).
        temperature: ``tau`` (default 0.1).
        support_size: rows in the support set (default 4096; the paper uses 98304 on ImageNet).
        predictor_hidden_dim: hidden width of the predictor; 0 for none (default 512).
        predictor_batchnorm: BatchNorm in the predictor (default True).
    """

    def __init__(
        self,
        embed_dim: int = 128,
        temperature: float = 0.1,
        support_size: int = 4096,
        predictor_hidden_dim: int = 512,
        predictor_batchnorm: bool = True,
    ) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.temperature = float(temperature)
        self.support = Queue(support_size, embed_dim)
        self.predictor = make_predictor(embed_dim, predictor_hidden_dim, predictor_batchnorm) if predictor_hidden_dim else None
        self._pending: list[torch.Tensor] = []

    def bind(self, encoder: nn.Module) -> None:
        """Match the encoder's SyncBatchNorm choice in the predictor."""
        if self.predictor is not None:
            self.predictor = match_sync_batchnorm(self.predictor, encoder)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Not available: this objective needs the encoder (use :meth:`training_step`)."""
        raise encodes_itself('nnclr')

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the NNCLR loss for one batch of views."""
        self.check(views, labels)
        z = encode_views(encoder, views)
        check_embeddings(z, "nnclr")
        p = predict(self.predictor, z) if self.predictor is not None else z
        with float32_region(z[0].device):
            return self._loss(upcast(z), upcast(p))

    def _loss(self, z: list[torch.Tensor], p: list[torch.Tensor]) -> torch.Tensor:
        """Nearest neighbours of ``z`` against predictions ``p`` (float32, autocast off)."""
        z = [F.normalize(x, dim=1) for x in z]
        support = self.support.get()
        neighbours = [nearest_neighbours(x, support) for x in z]
        full_p = [gather_batch(F.normalize(x, dim=1)) for x in p]
        b = z[0].shape[0]
        targets = torch.arange(b, device=z[0].device) + full_p[0][1]
        pairs = [(a, c) for a in range(len(z)) for c in range(len(z)) if a != c]
        total = sum(F.cross_entropy(neighbours[a] @ full_p[c][0].T / self.temperature, targets, reduction="sum") for a, c in pairs)
        self._pending.append(gather_no_grad(z[0]))
        return share_of_mean(total, b * len(pairs))

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Add this step's projections to the support set."""
        for rows in self._pending:
            self.support.push(rows)
        self._pending.clear()

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
