"""Cross entropy of ``softmax(x W^T)`` against soft targets (SwAV's codes), with a lean hand-written backward.

``sum_i -sum_k t_ik log softmax(x_i . w_k)_k``. The linear layer is part of the function so that one
``[N, K]`` buffer serves as the logits, then their ``exp`` (one per logit), then the softmax kept for
backward, then the gradient. Autograd through ``log_softmax`` would compute ``exp`` again in backward
and allocate four more ``[N, K]`` matrices (fresh pages are a large part of the cost on CPU).
"""

from __future__ import annotations

from typing import Any

import torch


class _LinearSoftCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, logits: torch.Tensor | None) -> torch.Tensor:
        with torch.autocast(device_type=x.device.type, enabled=False):
            if logits is None:
                logits = x @ weight.T
            top = logits.amax(1, keepdim=True)
            mass = targets.sum(1, keepdim=True)  # 1 per row for Sinkhorn codes; kept general
            # -sum_k t_k log softmax_k = mass * logsumexp(x) - t . x; the dot before the buffer is reused
            dot = torch.dot(targets.reshape(-1), logits.reshape(-1))
            p = logits.sub_(top).exp_()
            z = p.sum(1, keepdim=True)
            total = torch.dot(mass.reshape(-1), (top + z.log()).reshape(-1)) - dot
            p.div_(z)
        ctx.save_for_backward(x, weight, p, targets, mass)
        return total

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        x, weight, p, targets, mass = ctx.saved_tensors
        # d total / d logit_ik = mass_i softmax_ik - t_ik; built in the saved softmax's storage
        # (a second backward through the same graph fails loudly: autograd sees the in-place change).
        grad = grad.to(p.dtype)
        g = p.mul_(mass * grad).addcmul_(targets, -grad)
        grad_x = (g @ weight).to(x.dtype) if ctx.needs_input_grad[0] else None
        grad_weight = (g.T @ x).to(weight.dtype) if ctx.needs_input_grad[1] else None
        return grad_x, grad_weight, None, None


def linear_soft_cross_entropy(
    x: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, logits: torch.Tensor | None = None
) -> torch.Tensor:
    """Return ``sum_i -sum_k targets_ik log softmax(x_i . weight_k)_k`` (a scalar) for ``x`` ``[N, D]``, ``weight`` ``[K, D]``.

    ``targets`` ``[N, K]`` get no gradient. Pass ``logits`` (``x @ weight.T``, computed without gradient,
    e.g. because Sinkhorn needed them first) to save recomputing them; their storage is reused.
    """
    dtype = torch.promote_types(torch.promote_types(x.dtype, weight.dtype), torch.float32)
    x, weight = x.to(dtype), weight.to(dtype)
    if logits is not None:
        logits = logits.detach() if logits.dtype == dtype else None
    return _LinearSoftCrossEntropy.apply(x, weight, targets.detach().to(dtype), logits)
