"""MoCHi: MoCo with synthetic hard negatives mixed from the hardest queue entries (and the query)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.distributed import all_sizes, rank
from anyclr.objectives.moco import MoCo


class MoCHi(MoCo):
    """Mixing of Contrastive Hard negatives (Kalantidis et al. 2020, arXiv 2010.01028) on top of MoCo v2.

    For each query ``q``, rank the queue by similarity and keep the ``n_hard`` hardest negatives, then add
    ``n_mix`` negatives ``normalize(a * n_i + (1 - a) * n_j)`` (``a ~ U(0, 1)``, ``n_i, n_j`` among the hardest)
    and ``n_query_mix`` negatives ``normalize(b * q + (1 - b) * n_k)`` (``b ~ U(0, 0.5)``). Synthetic
    negatives carry no gradient. Random choices come from a generator seeded by the step count (saved in
    checkpoints) and are drawn for the whole gathered batch, so resumed and multi-process runs match.

    Args:
        n_hard: hardest negatives to mix from (default 1024).
        n_mix: synthetic negatives from pairs of hard negatives (default 256).
        n_query_mix: synthetic negatives mixing in the query (default 128).
        seed: base seed of the mixing generator (default 0).
        (other arguments as :class:`~anyclr.objectives.moco.MoCo`; MoCHi needs ``queue_size > 0``.)
    """

    def __init__(
        self,
        embed_dim: int = 128,
        temperature: float = 0.2,
        queue_size: int = 4096,
        momentum: float = 0.99,
        symmetric: bool = True,
        n_hard: int = 1024,
        n_mix: int = 256,
        n_query_mix: int = 128,
        seed: int = 0,
    ) -> None:
        if queue_size < 1:
            raise ValueError("mochi mixes negatives from the queue: queue_size must be positive")
        super().__init__(embed_dim=embed_dim, temperature=temperature, queue_size=queue_size, momentum=momentum, symmetric=symmetric)
        self.n_hard, self.n_mix, self.n_query_mix, self.seed = int(n_hard), int(n_mix), int(n_query_mix), int(seed)
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self._calls = 0

    def _uniform(self, shape: tuple[int, ...], device: torch.device) -> torch.Tensor:
        """Uniform numbers for the whole gathered batch; this rank's rows are returned."""
        local = shape[0]
        sizes = all_sizes(local, device)
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + int(self.steps) * 101 + self._calls)
        self._calls += 1
        draw = torch.rand((sum(sizes), *shape[1:]), generator=g, dtype=torch.float64)
        start = sum(sizes[: rank()])
        return draw[start : start + local].to(device)

    def extra_negatives(self, q: torch.Tensor, queue: torch.Tensor) -> torch.Tensor | None:
        """Return similarities of each query to its synthetic hard negatives ``[B, n_mix + n_query_mix]``."""
        with torch.no_grad():
            qd = q.detach()
            hard = min(self.n_hard, queue.shape[0])
            order = (qd @ queue.T).topk(hard, dim=1).indices  # [B, hard], hardest first
            b = q.shape[0]
            picks = (self._uniform((b, self.n_mix, 2), q.device) * hard).long().clamp_max(hard - 1)
            alpha = self._uniform((b, self.n_mix, 1), q.device).to(q.dtype)
            n_i = queue[order.gather(1, picks[..., 0])]
            n_j = queue[order.gather(1, picks[..., 1])]
            mixed = F.normalize(alpha * n_i + (1 - alpha) * n_j, dim=-1)
            pick_k = (self._uniform((b, self.n_query_mix), q.device) * hard).long().clamp_max(hard - 1)
            beta = 0.5 * self._uniform((b, self.n_query_mix, 1), q.device).to(q.dtype)
            n_k = queue[order.gather(1, pick_k)]
            query_mixed = F.normalize(beta * qd[:, None, :] + (1 - beta) * n_k, dim=-1)
            synthetic = torch.cat([mixed, query_mixed], dim=1)  # [B, E, D]
        return torch.einsum("bd,bed->be", q, synthetic)

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Update the momentum encoder and queue; advance the mixing generator."""
        super().after_step(encoder, progress)
        self.steps += 1
        self._calls = 0

    def extra_repr(self) -> str:
        return super().extra_repr() + f", n_hard={self.n_hard}, n_mix={self.n_mix}, n_query_mix={self.n_query_mix}"
