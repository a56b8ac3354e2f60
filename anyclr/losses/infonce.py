"""Multi-positive InfoNCE over a similarity matrix, with a memory-lean hand-written backward.

For each anchor ``i``: ``mean_{p in P(i)} [ logsumexp_{a != i} s_ia / tau  -  s_ip / tau ]``.
With one positive per anchor this is NT-Xent (and GRACE's, and TS2Vec's per-group loss); with several
it is the SupCon ``L_out`` form. ``masked_logsumexp`` is the denominator alone, for losses that leave
their positives out of it (DCL, GraphCL).

MoCo's form (one positive key per query, shared negatives from a queue) has its own function below.

Only the ``[A, M]`` logits are kept for backward, and backward turns them into the gradient in place,
so peak memory is about two ``A x M`` matrices (autograd through ``logsumexp`` and ``gather`` keeps
three or four). Logits are computed in float32 or wider even under autocast, for a stable softmax.
"""

from __future__ import annotations

from typing import Any

import torch


class _MultiPositiveNCE(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        anchors: torch.Tensor,
        candidates: torch.Tensor,
        self_index: torch.Tensor,
        positives: torch.Tensor,
        inv_tau: float,
        valid: torch.Tensor | None,
    ) -> torch.Tensor:
        with torch.autocast(device_type=anchors.device.type, enabled=False):
            logits = anchors @ candidates.mT  # [..., A, M]
            if inv_tau != 1.0:
                logits.mul_(inv_tau)
            rows = torch.arange(logits.shape[-2], device=logits.device)
            logits[..., rows, self_index] = float("-inf")
            if valid is not None:
                logits.masked_fill_(~valid.unsqueeze(-2), float("-inf"))
            lse = torch.logsumexp(logits, dim=-1)
            if valid is not None:  # an anchor with no candidate left: a finite lse keeps its (zero) gradient finite
                lse.clamp_min_(torch.finfo(lse.dtype).min)
            if positives.dtype == torch.bool:
                count = positives.sum(-1).clamp_min(1).to(logits.dtype)
                pos = torch.where(positives, logits, logits.new_zeros(())).sum(-1) / count
            else:
                count = logits.new_full((logits.shape[-2],), positives.shape[-1])
                pos = logits.gather(-1, positives.expand(*logits.shape[:-2], *positives.shape)).mean(-1)
        ctx.inv_tau = inv_tau
        ctx.save_for_backward(anchors, candidates, logits, lse, positives, count)
        return lse - pos

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        anchors, candidates, logits, lse, positives, count = ctx.saved_tensors
        # d loss_i / d logit_ia = softmax_ia - [a in P(i)] / |P(i)|; built in the saved logits' storage.
        # (A second backward through the same graph fails loudly: autograd sees the in-place change.)
        g = logits.sub_(lse.unsqueeze(-1)).exp_()
        if positives.dtype == torch.bool:
            g.sub_(positives.to(g.dtype) / count[:, None])
        else:
            index = positives.expand(*g.shape[:-2], *positives.shape)
            g.scatter_add_(-1, index, (-1.0 / count)[:, None].to(g.dtype).expand_as(index))
        g.mul_((grad.to(g.dtype) * ctx.inv_tau).unsqueeze(-1))
        grad_anchors = (g @ candidates).to(anchors.dtype) if ctx.needs_input_grad[0] else None
        grad_candidates = (g.mT @ anchors).to(candidates.dtype) if ctx.needs_input_grad[1] else None
        return grad_anchors, grad_candidates, None, None, None, None


def multi_positive_nce(
    anchors: torch.Tensor,
    candidates: torch.Tensor,
    self_index: torch.Tensor,
    positives: torch.Tensor,
    temperature: float,
    valid: torch.Tensor | None = None,
) -> torch.Tensor:
    """Return the per-anchor InfoNCE loss ``[A]`` with several positives per anchor.

    ``anchors`` ``[A, D]`` and ``candidates`` ``[M, D]`` are embeddings (normalised for cosine similarity);
    ``self_index[i]`` is anchor ``i``'s own column in the candidates (left out of the denominator);
    ``positives`` is either column indices ``[A, P]`` (P positives each) or a boolean mask ``[A, M]``.

    Leading dimensions are groups contrasted independently (``[G, A, D]`` against ``[G, M, D]`` gives
    ``[G, A]``; indices and masks are shared by all groups), e.g. one group per timestamp. ``valid``
    ``[..., M]`` leaves the candidates where it is False out of every denominator of their group; an
    anchor whose positives are all left out gets ``inf``: leave it out of the mean with ``torch.where``.
    """
    dtype = torch.promote_types(torch.promote_types(anchors.dtype, candidates.dtype), torch.float32)
    anchors, candidates = anchors.to(dtype), candidates.to(dtype)
    return _MultiPositiveNCE.apply(anchors, candidates, self_index, positives, 1.0 / temperature, valid)


class _MaskedLogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, anchors: torch.Tensor, candidates: torch.Tensor, excluded: torch.Tensor, scale: float) -> torch.Tensor:
        with torch.autocast(device_type=anchors.device.type, enabled=False):
            logits = anchors @ candidates.T
            logits.mul_(scale)
            logits.scatter_(1, excluded, float("-inf"))
            lse = torch.logsumexp(logits, dim=1)
        ctx.scale = scale
        ctx.save_for_backward(anchors, candidates, logits, lse)
        return lse

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        anchors, candidates, logits, lse = ctx.saved_tensors
        g = logits.sub_(lse[:, None]).exp_().mul_((grad.to(logits.dtype) * ctx.scale)[:, None])  # excluded: exp(-inf) = 0
        grad_anchors = (g @ candidates).to(anchors.dtype) if ctx.needs_input_grad[0] else None
        grad_candidates = (g.T @ anchors).to(candidates.dtype) if ctx.needs_input_grad[1] else None
        return grad_anchors, grad_candidates, None, None


def masked_logsumexp(anchors: torch.Tensor, candidates: torch.Tensor, excluded: torch.Tensor, scale: float) -> torch.Tensor:
    """Return ``log sum_{k not in excluded[i]} exp(scale * a_i . c_k)`` per anchor, keeping one ``[A, M]`` matrix.

    ``excluded`` ``[A, E]`` lists the candidate columns each anchor leaves out (itself, its positives).
    """
    dtype = torch.promote_types(torch.promote_types(anchors.dtype, candidates.dtype), torch.float32)
    return _MaskedLogSumExp.apply(anchors.to(dtype), candidates.to(dtype), excluded, float(scale))


class _KeyQueueNCE(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, q: torch.Tensor, k: torch.Tensor, negatives: torch.Tensor, extra: torch.Tensor | None, temperature: float
    ) -> torch.Tensor:
        with torch.autocast(device_type=q.device.type, enabled=False):
            qs = q / temperature  # scale the [B, D] queries rather than the [B, N] logits
            pos = (qs * k).sum(1)
            logits = qs @ negatives.T
            top = torch.maximum(logits.amax(1), pos)
            if extra is not None:
                extra = extra / temperature
                top = torch.maximum(top, extra.amax(1))
            # exp(logit - top) in the logits' storage: the only [B, N] matrix kept
            p = logits.sub_(top[:, None]).exp_()
            p_pos = (pos - top).exp()
            z = p.sum(1) + p_pos
            if extra is not None:
                extra = extra.sub_(top[:, None]).exp_()
                z += extra.sum(1)
            loss = top + z.log() - pos
        ctx.temperature = temperature
        ctx.save_for_backward(qs, k, negatives, p, p_pos, extra, z)
        return loss

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        qs, k, negatives, p, p_pos, extra, z = ctx.saved_tensors
        w = grad.to(p.dtype) / z
        # d loss_i / d logit = softmax * grad_i for every negative, (softmax - 1) * grad_i for the positive
        g = p.mul_(w[:, None])
        g_pos = (p_pos * w - grad.to(p.dtype))[:, None]
        grad_q = grad_k = grad_negatives = grad_extra = None
        if ctx.needs_input_grad[0]:
            grad_q = (torch.addcmul(g @ negatives, g_pos, k) / ctx.temperature).to(qs.dtype)
        if ctx.needs_input_grad[1]:
            grad_k = (g_pos * qs).to(k.dtype)
        if ctx.needs_input_grad[2]:
            grad_negatives = (g.T @ qs).to(negatives.dtype)
        if extra is not None and ctx.needs_input_grad[3]:
            grad_extra = extra.mul_(w[:, None] / ctx.temperature)
        return grad_q, grad_k, grad_negatives, grad_extra, None


def key_queue_nce(
    q: torch.Tensor, k: torch.Tensor, negatives: torch.Tensor, temperature: float, extra: torch.Tensor | None = None
) -> torch.Tensor:
    """Return per query ``-log exp(q.k/tau) / (exp(q.k/tau) + sum_n exp(q.n/tau) + sum_e exp(extra_e/tau))``, ``[B]``.

    ``q``, ``k`` ``[B, D]`` are queries and their positive keys, ``negatives`` ``[N, D]`` are shared (a
    queue), ``extra`` ``[B, E]`` holds more negative similarities per query. Keeps one ``[B, N]`` matrix.
    """
    dtype = torch.promote_types(torch.promote_types(q.dtype, k.dtype), torch.float32)
    extra = extra.to(dtype) if extra is not None else None
    return _KeyQueueNCE.apply(q.to(dtype), k.to(dtype), negatives.to(dtype), extra, float(temperature))
