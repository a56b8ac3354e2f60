"""Cosine similarity of predictions to stop-gradient targets of the other views (BYOL, SimSiam), fused.

One autograd node for all views: targets are normalised once without gradient, each prediction's norm
is divided out of a ``[B]`` dot product instead of out of the ``[B, D]`` prediction, and backward is
two passes per view. ``F.cosine_similarity`` normalises both inputs with gradient and makes about ten
autograd nodes per pair, which dominates at small batches.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

EPS = 1e-8  # as F.cosine_similarity: each norm is clamped to at least this


class _CosineToTargets(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, n_views: int, *tensors: torch.Tensor) -> torch.Tensor:
        p, targets = tensors[:n_views], tensors[n_views:]
        total, saved = None, []
        for x, t in zip(p, targets, strict=True):
            norm = torch.linalg.vector_norm(x, dim=1).clamp_min_(EPS)
            cos = (x * t).sum(1).div_(norm)
            total = cos if total is None else total + cos
            saved += [x, t, norm, cos]
        ctx.n_views = n_views
        ctx.save_for_backward(*saved)
        return total

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        saved = ctx.saved_tensors
        grads: list[torch.Tensor | None] = []
        for i in range(ctx.n_views):
            x, t, norm, cos = saved[4 * i : 4 * i + 4]
            if not ctx.needs_input_grad[1 + i]:
                grads.append(None)
                continue
            # d cos(x, t) / dx = t / |x| - cos x / |x|^2   (t is unit-norm)
            w = grad / norm
            grads.append(torch.addcmul(t * w[:, None], x, (-w * cos / norm)[:, None]))
        return None, *grads, *([None] * ctx.n_views)


def cosine_to_targets(p: list[torch.Tensor], t: list[torch.Tensor]) -> torch.Tensor:
    """Per sample, ``sum_{a != c} cos(p_a, sg t_c)`` over ordered pairs of views, ``[B]``; only ``p`` gets gradient."""
    v = len(p)
    with torch.no_grad():
        unit = [F.normalize(x, dim=1, eps=EPS) for x in t]
        if v == 2:
            targets = [unit[1], unit[0]]
        else:  # sum_{c != a} p_a . t_c = p_a . (sum_c t_c - t_a)
            whole = torch.stack(unit).sum(0)
            targets = [whole - x for x in unit]
    return _CosineToTargets.apply(v, *p, *targets)
