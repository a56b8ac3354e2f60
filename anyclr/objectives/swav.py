"""SwAV: predict one view's Sinkhorn cluster assignment (code) from another view's prototype scores."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.distributed import rank_offset
from anyclr.core.objective import Objective
from anyclr.losses import (
    Queue,
    check_embeddings,
    check_temperature,
    full_precision,
    gather_no_grad,
    linear_soft_cross_entropy,
    share_of_mean,
    sinkhorn,
)


class SwAV(Objective):
    """Swapping Assignments between Views (Caron et al. 2020, arXiv 2006.09882).

    Normalised projections are scored against ``n_prototypes`` unit-norm prototypes (``scores = z C^T``).
    Codes ``q`` for the first two views come from Sinkhorn-Knopp on the scores of the whole batch
    (gathered from all ranks, plus the queue when there is one); every other view predicts them::

        loss = mean_{s in first 2} mean_{t != s} mean_i -sum_k q_s,ik log softmax(scores_t,i / tau)_k

    Extra views (multi-crop) only predict. Prototypes are re-normalised after each step and may be frozen
    for the first steps; they, the queue and the step count are saved in checkpoints.

    Args:
        embed_dim: width of the projection (filled in from the head's ``out_dim``).
        n_prototypes: number of prototypes (default 512).
        temperature: ``tau`` (default 0.1).
        epsilon: Sinkhorn entropy regularisation (default 0.05).
        sinkhorn_iterations: Sinkhorn iterations (default 3).
        queue_size: past projections per assigned view used in Sinkhorn (default 0: none; helps small batches).
        freeze_prototypes_steps: steps during which prototypes get no gradient (default 0; the paper: ~1 epoch).
    """

    def __init__(
        self,
        embed_dim: int = 128,
        n_prototypes: int = 512,
        temperature: float = 0.1,
        epsilon: float = 0.05,
        sinkhorn_iterations: int = 3,
        queue_size: int = 0,
        freeze_prototypes_steps: int = 0,
    ) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0 or epsilon <= 0:
            raise ValueError(f"temperature and epsilon must be positive, got {temperature}, {epsilon}")
        self.temperature, self.epsilon, self.iterations = float(temperature), float(epsilon), int(sinkhorn_iterations)
        self.freeze_prototypes_steps = int(freeze_prototypes_steps)
        self.prototypes = nn.Linear(embed_dim, n_prototypes, bias=False)
        self.normalize_prototypes()
        self.queues = nn.ModuleList([Queue(queue_size, embed_dim) for _ in range(2)]) if queue_size else None
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self._pending: list[list[torch.Tensor]] = []

    @torch.no_grad()
    def normalize_prototypes(self) -> None:
        """Project the prototypes back onto the unit sphere."""
        self.prototypes.weight.copy_(F.normalize(self.prototypes.weight, dim=1))

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the swapped-prediction loss for one batch of projections."""
        check_embeddings(z, "swav")
        v, b = len(z), z[0].shape[0]
        # All views as one [V*B, D] batch: one matmul forward, two backward, one softmax.
        zn = F.normalize(torch.cat(z), dim=1)
        weight = self.prototypes.weight
        if self.freeze_prototypes_steps and int(self.steps) < self.freeze_prototypes_steps:
            weight = weight.detach()
        # Scaling the [K, D] prototypes by 1/tau is cheaper than scaling the [V*B, K] scores.
        scaled = weight / self.temperature
        offset = rank_offset(b, zn.device)
        pushes = []
        with torch.no_grad():  # codes are targets; the loss takes the matmul's gradient itself
            logits = zn @ scaled.T  # scores / tau; row t*B + i: view t of sample i
            # Row block t of the targets holds the codes view t predicts: view 0 those of view 1,
            # view 1 those of view 0, every further view (multi-crop) the sum of both.
            targets = torch.empty_like(logits)
            for s in range(2):
                full = gather_no_grad(logits[s * b : (s + 1) * b])
                if self.queues is not None:
                    queue = self.queues[s].get()
                    if queue.shape[0]:
                        full = torch.cat([full, queue.to(full.dtype) @ scaled.T])
                    pushes.append(gather_no_grad(zn[s * b : (s + 1) * b]))
                # exp(scores / eps) = exp((scores / tau) / (eps / tau))
                sinkhorn(full, self.epsilon / self.temperature, self.iterations, rows=slice(offset, offset + b), out=targets[(1 - s) * b : (2 - s) * b])
            for t in range(2, v):
                torch.add(targets[:b], targets[b : 2 * b], out=targets[t * b : (t + 1) * b])
        if pushes:
            self._pending.append(pushes)
        # mean over the 2 assigned views s and the V - 1 views t != s predicting each
        return share_of_mean(linear_soft_cross_entropy(zn, scaled, targets, logits) / (2 * (v - 1)), b)

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Re-normalise the prototypes, fill the queues, count the step."""
        self.normalize_prototypes()
        if self.queues is not None:
            for pushes in self._pending:
                for queue, rows in zip(self.queues, pushes, strict=False):
                    queue.push(rows)
        self._pending.clear()
        self.steps += 1

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, epsilon={self.epsilon}, sinkhorn_iterations={self.iterations}"
