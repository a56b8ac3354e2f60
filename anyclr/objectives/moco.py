"""MoCo: queries from the online encoder against keys from a momentum encoder (v2: queue of keys; v3: in-batch keys)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.distributed import rank_offset
from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective, encode_views
from anyclr.losses import (
    EMATarget,
    Queue,
    check_embeddings,
    check_temperature,
    encodes_itself,
    float32_region,
    gather_no_grad,
    key_queue_nce,
    make_predictor,
    match_sync_batchnorm,
    predict,
    share_of_mean,
    upcast,
)


def queue_infonce(
    q: torch.Tensor, k: torch.Tensor, negatives: torch.Tensor, temperature: float, extra: torch.Tensor | None = None
) -> torch.Tensor:
    """Per query, ``-log exp(q.k/tau) / (exp(q.k/tau) + sum_n exp(q.n/tau))`` (normalised inputs).

    ``extra`` ``[B, E]`` holds more negative similarities per query (MoCHi's synthetic negatives).
    """
    return key_queue_nce(q, k, negatives, temperature, extra)


class MoCo(Objective):
    """Momentum Contrast, v2 (He et al. 2019, arXiv 1911.05722; Chen et al. 2020, arXiv 2003.04297) and v3.

    Queries ``q`` come from the online encoder (through a predictor for v3), keys ``k`` from its momentum
    (EMA) copy, without gradient. For each ordered pair of views ``(a, c)``, ``a != c``::

        v2:  loss_i = -log exp(q_a,i . k_c,i / tau) / (exp(q_a,i . k_c,i / tau) + sum_{n in queue} exp(q_a,i . n / tau))
        v3:  loss_i = scale * CE(q_a,i . K_c^T / tau, i),   K_c = the keys of the whole gathered batch

    averaged over pairs (only ``(0, 1)`` when ``symmetric`` is off) and queries. v2 then enqueues the
    gathered keys of view 1 and drops the oldest. The momentum rises from ``momentum`` to 1 on a cosine.
    Target network and queue are built by :meth:`bind` / the constructor and saved in checkpoints.

    Args:
        embed_dim: width of the projection (filled in from the head's ``out_dim``).
        temperature: ``tau`` (default 0.2).
        queue_size: number of negative keys kept (default 4096); 0 uses the batch's keys instead (v3).
        momentum: base EMA momentum (default 0.99).
        symmetric: use both view orders (default True).
        predictor_hidden_dim: hidden width of a predictor MLP on the queries; 0 for none (v2, the default).
        predictor_batchnorm: BatchNorm in the predictor (default True).
        scale: factor on the loss (v3 uses ``2 * tau``; default 1).
    """

    def __init__(
        self,
        embed_dim: int = 128,
        temperature: float = 0.2,
        queue_size: int = 4096,
        momentum: float = 0.99,
        symmetric: bool = True,
        predictor_hidden_dim: int = 0,
        predictor_batchnorm: bool = True,
        scale: float = 1.0,
    ) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        if queue_size < 0:
            raise ValueError(f"queue_size must be 0 (in-batch keys) or positive, got {queue_size}")
        self.temperature, self.momentum, self.symmetric, self.scale = float(temperature), float(momentum), bool(symmetric), float(scale)
        self.queue = Queue(queue_size, embed_dim, random_init=True) if queue_size else None
        self.predictor = make_predictor(embed_dim, predictor_hidden_dim, predictor_batchnorm) if predictor_hidden_dim else None
        self.target: EMATarget | None = None
        self._pending: list[torch.Tensor] = []

    def bind(self, encoder: nn.Module) -> None:
        """Copy the encoder into the momentum (key) encoder."""
        self.target = EMATarget(encoder, self.momentum)
        if self.predictor is not None:
            self.predictor = match_sync_batchnorm(self.predictor, encoder)

    def pairs(self, n_views: int) -> list[tuple[int, int]]:
        """Return the (query view, key view) pairs."""
        if not self.symmetric:
            return [(0, 1)]
        return [(a, c) for a in range(n_views) for c in range(n_views) if a != c]

    def extra_negatives(self, q: torch.Tensor, queue: torch.Tensor) -> torch.Tensor | None:
        """Return more negative similarities ``[B, E]`` per query beyond the queue (none here; MoCHi mixes some)."""
        return None

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Not available: this objective needs the encoder (use :meth:`training_step`)."""
        raise encodes_itself(type(self).__name__.lower())

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the MoCo loss for one batch of views."""
        self.check(views, labels)
        if self.target is None:
            raise AnyclrError(f"{type(self).__name__.lower()} has no momentum encoder: call objective.bind(encoder) before training.")
        q = encode_views(encoder, views)
        check_embeddings(q, type(self).__name__.lower())
        if self.predictor is not None:
            q = predict(self.predictor, q)
        k = encode_views(self.target, views)
        with float32_region(q[0].device):
            return self._loss(upcast(q), upcast(k))

    def _loss(self, q: list[torch.Tensor], k: list[torch.Tensor]) -> torch.Tensor:
        """The contrastive loss of queries against keys (float32, autocast off)."""
        q = [F.normalize(x, dim=1) for x in q]
        k = [F.normalize(x, dim=1) for x in k]
        b = q[0].shape[0]
        pairs = self.pairs(len(q))
        total = q[0].new_zeros(())
        if self.queue is not None:
            queue = self.queue.get().to(q[0].dtype)
            for a, c in pairs:
                total = total + queue_infonce(q[a], k[c], queue, self.temperature, self.extra_negatives(q[a], queue)).sum()
            self._pending.append(gather_no_grad(k[1]))
        else:
            keys = [gather_no_grad(x) for x in k]
            targets = torch.arange(b, device=q[0].device) + rank_offset(b, q[0].device)
            for a, c in pairs:
                total = total + F.cross_entropy((q[a] / self.temperature) @ keys[c].T, targets, reduction="sum")  # scale [B, D], not [B, M]
        return share_of_mean(self.scale * total, b * len(pairs))

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Update the momentum encoder, then enqueue this step's keys."""
        if self.target is not None:
            self.target.update(encoder, progress)
        if self.queue is not None:
            for keys in self._pending:
                self.queue.push(keys)
        self._pending.clear()

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, momentum={self.momentum}, symmetric={self.symmetric}, scale={self.scale}"


def mocov3(
    embed_dim: int = 128,
    temperature: float = 0.2,
    momentum: float = 0.99,
    predictor_hidden_dim: int = 512,
    predictor_batchnorm: bool = True,
) -> MoCo:
    """MoCo v3 (Chen, Xie & He 2021, arXiv 2104.02057): predictor, in-batch keys, symmetric, loss scaled by 2 tau."""
    return MoCo(
        embed_dim=embed_dim, temperature=temperature, queue_size=0, momentum=momentum, symmetric=True,
        predictor_hidden_dim=predictor_hidden_dim, predictor_batchnorm=predictor_batchnorm, scale=2 * temperature,
    )
