"""SimGRACE (Xia et al. 2022, arXiv 2202.03104): contrast a graph's embedding with the one a weight-perturbed encoder gives.

No data augmentation: the second "view" of each graph comes from a copy of the backbone whose every
weight tensor ``W`` is perturbed as ``W + η · N(0, std(W)²)`` (the head is shared, unperturbed). The
perturbed branch is computed without gradient, and GraphCL's NT-Xent is taken with the perturbed
embeddings as anchors, as in SimGRACE's code::

    loss = GraphCL(anchor = sg(head(f_{θ+Δθ}(G))), candidates = head(f_θ(G)))
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.func import functional_call

from anyclr.core import distributed
from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective
from anyclr.objectives.parts.checks import check_temperature
from anyclr.plugins.graph.objectives.graphcl import graphcl_loss


class SimGRACE(Objective):
    """SimGRACE: NT-Xent between the encoder and a randomly weight-perturbed copy of it.

    Args:
        eta: perturbation scale relative to each weight tensor's standard deviation (default 1.0).
        temperature: τ of the NT-Xent (default 0.2).

    Uses the first view only (give it ``augmentations = ["identity"]``, or any views for extra invariance).
    """

    min_views = 1

    def __init__(self, eta: float = 1.0, temperature: float = 0.2) -> None:
        super().__init__()
        check_temperature(temperature)
        if eta < 0 or temperature <= 0:
            raise AnyclrError(f"objective.eta must be >= 0 and objective.temperature > 0, got {eta} and {temperature}.")
        self.eta, self.temperature = float(eta), float(temperature)

    @torch.no_grad()
    def perturbed(self, backbone: nn.Module, inputs: Any) -> torch.Tensor:
        """Return the backbone's output with every weight tensor perturbed (its own statistics left alone)."""
        params = {
            name: p + self.eta * torch.randn_like(p) * p.std() if p.numel() > 1 else p
            for name, p in backbone.named_parameters()
        }
        buffers = {name: b.clone() for name, b in backbone.named_buffers()}  # BN running stats stay untouched
        return functional_call(backbone, {**params, **buffers}, (inputs,))

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss for one batch (the first view)."""
        self.check(views, labels)
        backbone = getattr(encoder, "backbone", encoder)
        head = getattr(encoder, "head", nn.Identity())
        z = encoder(views[0])
        with torch.no_grad():
            z_perturbed = head(self.perturbed(backbone, views[0]))
        if z.shape[0] < 2:
            raise AnyclrError("SimGRACE needs at least 2 graphs per batch (the others are the negatives).", "Raise trainer.batch_size.")
        offset = distributed.rank() * z.shape[0]
        return graphcl_loss(z_perturbed, distributed.gather_with_grad(z), self.temperature, offset)

    def extra_repr(self) -> str:
        return f"eta={self.eta}, temperature={self.temperature}"
