"""Process-group helpers: rank, world size, and gathering tensors across ranks with gradient."""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist


def is_distributed() -> bool:
    """Return True inside an initialised multi-process group."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """Return this process's rank (0 when not distributed)."""
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    """Return the number of processes (1 when not distributed)."""
    return dist.get_world_size() if is_distributed() else 1


def is_main() -> bool:
    """Return True on the process that writes checkpoints, logs and plots."""
    return rank() == 0


def gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Concatenate ``x`` from all ranks along dim 0; gradients flow back to every rank's input."""
    return gather_batch(x)[0]


def gather_batch(x: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Concatenate ``x`` from all ranks with gradient (sizes may differ); also return where this rank's rows start."""
    if not is_distributed():
        return x, 0
    sizes = all_sizes(x.shape[0], x.device)
    return _GatherWithGrad.apply(x, sizes), sum(sizes[: rank()])


class _GatherWithGrad(torch.autograd.Function):
    """All-gather along dim 0 whose backward sums every rank's gradient for this rank's rows.

    Written out rather than ``torch.distributed.nn.all_gather``: that one is deprecated, and on gloo its
    backward scatters into non-contiguous gradient buffers as if they were contiguous (wrong gradients
    whenever the gathered tensor is transposed or sliced afterwards).
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, sizes: list[int]) -> torch.Tensor:
        ctx.sizes = sizes
        ctx.offset = sum(sizes[: rank()])
        return _gather(x, sizes)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        n = ctx.sizes[rank()]
        grad = grad.contiguous()
        if len(set(ctx.sizes)) == 1 and dist.get_backend() == "nccl":
            out = grad.new_empty((n, *grad.shape[1:]))
            dist.reduce_scatter_tensor(out, grad)
            return out, None
        grad = grad.clone()  # all_reduce works in place; autograd may still hold ``grad``
        dist.all_reduce(grad)
        return grad[ctx.offset : ctx.offset + n], None


def _gather(x: torch.Tensor, sizes: list[int]) -> torch.Tensor:
    # all_gather needs equal shapes: pad to the largest batch, then cut each rank's rows back out.
    longest = max(sizes)
    x = x.detach().contiguous()
    if x.shape[0] < longest:
        x = torch.cat([x, x.new_zeros((longest - x.shape[0], *x.shape[1:]))])
    parts = [torch.empty_like(x) for _ in sizes]
    dist.all_gather(parts, x)
    return torch.cat([p[:n] for p, n in zip(parts, sizes, strict=True)], dim=0)


@torch.no_grad()
def gather_no_grad(x: torch.Tensor) -> torch.Tensor:
    """Concatenate ``x`` from all ranks along dim 0 without gradient (sizes may differ): keys, labels, queue pushes."""
    if not is_distributed():
        return x
    return _gather(x, all_sizes(x.shape[0], x.device))


def all_sizes(n: int, device: torch.device | str = "cpu") -> list[int]:
    """Return every rank's value of ``n`` (e.g. its batch size), in rank order."""
    if not is_distributed():
        return [n]
    t = torch.tensor([n], dtype=torch.long, device=device)
    parts = [torch.empty_like(t) for _ in range(world_size())]
    dist.all_gather(parts, t)
    return [int(p.item()) for p in parts]


def share_of_mean(local_sum: torch.Tensor, local_count: int) -> torch.Tensor:
    """Turn this rank's sum of per-item losses into its share of the mean over all ranks' items.

    DDP averages gradients over ranks, so each rank returns ``world_size * local_sum / global_count``:
    the averaged gradient then equals that of the mean over the concatenated batch, and the mean of
    the ranks' returned values equals the global mean loss.
    """
    if not is_distributed():
        return local_sum / local_count
    total = sum(all_sizes(local_count, local_sum.device))
    return local_sum * (world_size() / total)


def rank_offset(n: int, device: torch.device | str = "cpu") -> int:
    """Return where this rank's ``n`` rows start in a gather along dim 0 (0 when not distributed)."""
    if not is_distributed():
        return 0
    return sum(all_sizes(n, device)[: rank()])
