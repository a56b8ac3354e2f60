"""A momentum (EMA) target network and its cosine schedule (BYOL, MoCo)."""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn


def unwrap(module: nn.Module) -> nn.Module:
    """Return the plain module inside a DDP wrapper or a ``torch.compile`` result."""
    while True:
        inner = getattr(module, "module", None) or getattr(module, "_orig_mod", None)
        if not isinstance(inner, nn.Module):
            return module
        module = inner


def cosine_momentum(progress: float, base: float, final: float = 1.0) -> float:
    """Return BYOL's momentum ``final - (final - base) * (cos(pi * progress) + 1) / 2`` for progress in [0, 1]."""
    progress = min(max(float(progress), 0.0), 1.0)
    return final - (final - base) * (math.cos(math.pi * progress) + 1) / 2


class EMATarget(nn.Module):
    """A frozen copy of an online network, updated ``theta_t <- m theta_t + (1 - m) theta_online`` after each step.

    ``m`` rises from ``base_momentum`` to ``final_momentum`` on a cosine over training (Grill et al. 2020).
    Only parameters are averaged; the target's BatchNorm statistics come from its own forward passes.
    The copy is a submodule, so it is saved in checkpoints and restored by ``--resume``.

    Args:
        online: the network to copy (DDP / compiled wrappers are unwrapped).
        base_momentum: momentum at the start of training (default 0.996).
        final_momentum: momentum at the end of training (default 1.0).
    """

    def __init__(self, online: nn.Module, base_momentum: float = 0.996, final_momentum: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= base_momentum <= final_momentum <= 1.0:
            raise ValueError(f"need 0 <= base_momentum <= final_momentum <= 1, got {base_momentum}, {final_momentum}")
        self.net = copy.deepcopy(unwrap(online))
        self.net.requires_grad_(False)
        self.base_momentum = float(base_momentum)
        self.final_momentum = float(final_momentum)

    def momentum(self, progress: float) -> float:
        """Return the momentum at ``progress`` (0 to 1)."""
        return cosine_momentum(progress, self.base_momentum, self.final_momentum)

    @torch.no_grad()
    def update(self, online: nn.Module, progress: float) -> None:
        """Move the target's parameters towards the online network's."""
        m = self.momentum(progress)
        target = [p for p in self.net.parameters()]
        source = [p.detach() for p in unwrap(online).parameters()]
        if len(target) != len(source):
            raise RuntimeError("the online network changed shape after the target was copied")
        # lerp_(src, w) is target + w * (src - target) = m * target + (1 - m) * src for w = 1 - m.
        torch._foreach_lerp_(target, source, 1.0 - m)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the target network without gradient."""
        with torch.no_grad():
            return self.net(*args, **kwargs)

    def extra_repr(self) -> str:
        return f"base_momentum={self.base_momentum}, final_momentum={self.final_momentum}"
