"""BYOL: an online network with a predictor regresses a momentum target's projection of another view."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective, encode_views
from anyclr.losses import (
    EMATarget,
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


def regression_sums(p: list[torch.Tensor], t: list[torch.Tensor]) -> torch.Tensor:
    """Per sample, ``1/(V-1) sum_{a != c} (2 - 2 cos(p_a, t_c))``: for two views BYOL's symmetrised loss."""
    v = len(p)
    return (2 * v * (v - 1) - 2 * cosine_to_targets(p, t)) / (v - 1)


class BYOL(Objective):
    """Bootstrap Your Own Latent (Grill et al. 2020, arXiv 2006.07733).

    The online encoder's projection goes through a predictor ``q``; a momentum (EMA) copy of the encoder
    gives the targets ``z'`` (no gradient)::

        loss = mean_i [ (2 - 2 s(q(z_1), sg z'_2)) + (2 - 2 s(q(z_2), sg z'_1)) ]

    With ``V > 2`` views every view predicts every other one, scaled by ``1/(V-1)``. The target's momentum
    rises from ``momentum`` to 1 on a cosine. The target is built by :meth:`bind` and saved in checkpoints.

    Args:
        embed_dim: width of the projection (filled in from the head's ``out_dim``).
        predictor_hidden_dim: hidden width of the predictor MLP (default 512).
        predictor_batchnorm: BatchNorm in the predictor (default True, as in the paper).
        momentum: base EMA momentum (default 0.996).
    """

    def __init__(self, embed_dim: int = 128, predictor_hidden_dim: int = 512, predictor_batchnorm: bool = True, momentum: float = 0.996) -> None:
        super().__init__()
        self.predictor = make_predictor(embed_dim, predictor_hidden_dim, predictor_batchnorm)
        self.momentum = float(momentum)
        self.target: EMATarget | None = None

    def bind(self, encoder: nn.Module) -> None:
        """Copy the encoder into the momentum target."""
        self.target = EMATarget(encoder, self.momentum)
        self.predictor = match_sync_batchnorm(self.predictor, encoder)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Not available: this objective needs the encoder (use :meth:`training_step`)."""
        raise encodes_itself('byol')

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the BYOL loss for one batch of views."""
        self.check(views, labels)
        if self.target is None:
            raise AnyclrError("byol has no target network: call objective.bind(encoder) before training.")
        z = encode_views(encoder, views)
        check_embeddings(z, "byol")
        p = predict(self.predictor, z)
        t = encode_views(self.target, views)
        with float32_region(z[0].device):
            return share_of_mean(regression_sums(upcast(p), upcast(t)).sum(), z[0].shape[0])

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Move the target towards the online encoder."""
        if self.target is not None:
            self.target.update(encoder, progress)
