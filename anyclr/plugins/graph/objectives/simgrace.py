"""SimGRACE (Xia et al. 2022, arXiv 2202.03104): contrast a graph's embedding with the one a weight-perturbed encoder gives.

No data augmentation: the second "view" of each graph comes from a copy of the backbone whose every
weight tensor ``W`` is perturbed as ``W + η · N(0, std(W)²)`` (the head is shared, unperturbed). The
perturbed branch is computed without gradient, and GraphCL's NT-Xent is taken with the perturbed
embeddings as anchors, as in SimGRACE's code::

    loss = GraphCL(anchor = sg(head(f_{θ+Δθ}(G))), candidates = head(f_θ(G)))

Every rank perturbs with the same noise (drawn from the objective's own generator, seeded from
``seed`` and the step), so several processes train on what one process would.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.func import functional_call

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective
from anyclr.losses import check_temperature, full_precision, gather_views, share_of_mean
from anyclr.plugins.graph.objectives.graphcl import check_graphs, graphcl_terms


class SimGRACE(Objective):
    """SimGRACE: NT-Xent between the encoder and a randomly weight-perturbed copy of it.

    Args:
        eta: perturbation scale relative to each weight tensor's standard deviation (default 1.0).
        temperature: τ of the NT-Xent (default 0.2).
        seed: seed of the perturbations; step ``k`` draws from ``(seed, k)`` on every rank (default 0).

    Uses the first view only (give it ``augmentations = ["identity"]``, or any views for extra invariance).
    """

    min_views = 1

    def __init__(self, eta: float = 1.0, temperature: float = 0.2, seed: int = 0) -> None:
        super().__init__()
        check_temperature(temperature)
        if eta < 0 or temperature <= 0:
            raise AnyclrError(f"objective.eta must be >= 0 and objective.temperature > 0, got {eta} and {temperature}.")
        self.eta, self.temperature, self.seed = float(eta), float(temperature), int(seed)
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))  # checkpointed: a resumed run draws on
        self._steps: int | None = None  # host copy of ``steps``: no device sync per step; re-read after loading
        self.register_load_state_dict_post_hook(_forget_steps)

    def generator(self, device: torch.device) -> torch.Generator:
        """Return the generator of this step's perturbation (the same on every rank)."""
        if self._steps is None:
            self._steps = int(self.steps)
        return torch.Generator(device=device).manual_seed((self.seed * 1_000_003 + self._steps) % (2**63 - 1))

    def perturb(self, params: dict[str, torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Return every weight tensor ``W`` as ``W + eta * std(W) * N(0, 1)`` (single numbers are left alone)."""
        return {
            name: p + self.eta * p.std() * torch.randn(p.shape, generator=generator, device=p.device, dtype=p.dtype) if p.numel() > 1 else p
            for name, p in params.items()
        }

    @torch.no_grad()
    def perturbed(self, backbone: nn.Module, inputs: Any) -> torch.Tensor:
        """Return the backbone's output with every weight tensor perturbed (its own statistics left alone)."""
        device = next(backbone.parameters()).device
        params = self.perturb(dict(backbone.named_parameters()), self.generator(device))
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
        return self([z_perturbed, z], labels)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss from ``[perturbed, online]`` graph embeddings (``[B, D]`` each; the perturbed get no gradient)."""
        check_graphs(z, "SimGRACE")
        if len(z) != 2:
            raise AnyclrError(f"SimGRACE's loss takes the perturbed and the online embeddings, got {len(z)} tensors.")
        g = gather_views([z[0].detach(), z[1]])
        return share_of_mean(graphcl_terms(g, 0, 1, self.temperature).sum(), g.local_batch)

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Move on to the next step's perturbation."""
        self.steps += 1
        if self._steps is not None:
            self._steps += 1

    def extra_repr(self) -> str:
        return f"eta={self.eta}, temperature={self.temperature}, seed={self.seed}"


def _forget_steps(objective: SimGRACE, incompatible_keys: object) -> None:
    """After ``load_state_dict``: the host copy of ``steps`` is stale."""
    objective._steps = None
