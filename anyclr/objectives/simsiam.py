"""SimSiam: a predictor matches the stop-gradient projection of another view; no negatives, no momentum target."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from anyclr.core.objective import Objective, encode_views
from anyclr.losses import (
    check_embeddings,
    cosine_to_targets,
    encodes_itself,
    float32_region,
    make_predictor,
    match_sync_batchnorm,
    predict,
    share_of_mean,
    upcast,
)


def negative_cosine_sums(p: list[torch.Tensor], z: list[torch.Tensor]) -> torch.Tensor:
    """Per sample, the mean over ordered view pairs ``a != c`` of ``-cos(p_a, sg z_c)``."""
    v = len(p)
    return cosine_to_targets(p, z) / -(v * (v - 1))


class SimSiam(Objective):
    """SimSiam (Chen & He 2020, arXiv 2011.10566)::

        loss = 1/2 D(p_1, sg z_2) + 1/2 D(p_2, sg z_1),   D = -cosine similarity

    ``p = predictor(z)``; with ``V > 2`` views the mean runs over all ordered pairs of views. The paper's
    projector ends in a BatchNorm (``head_last_batchnorm = true``) and its predictor is a bottleneck
    (``predictor_hidden_dim`` a quarter of the projection width).

    Args:
        embed_dim: width of the projection (filled in from the head's ``out_dim``).
        predictor_hidden_dim: hidden width of the predictor MLP (default 512).
        predictor_batchnorm: BatchNorm in the predictor (default True).
    """

    def __init__(self, embed_dim: int = 2048, predictor_hidden_dim: int = 512, predictor_batchnorm: bool = True) -> None:
        super().__init__()
        self.predictor = make_predictor(embed_dim, predictor_hidden_dim, predictor_batchnorm)

    def bind(self, encoder: nn.Module) -> None:
        """Match the encoder's SyncBatchNorm choice in the predictor."""
        self.predictor = match_sync_batchnorm(self.predictor, encoder)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Not available: this objective needs the encoder (use :meth:`training_step`)."""
        raise encodes_itself('simsiam')

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the SimSiam loss for one batch of views."""
        self.check(views, labels)
        z = encode_views(encoder, views)
        check_embeddings(z, "simsiam")
        p = predict(self.predictor, z)
        with float32_region(z[0].device):
            return share_of_mean(negative_cosine_sums(upcast(p), upcast(z)).sum(), z[0].shape[0])
