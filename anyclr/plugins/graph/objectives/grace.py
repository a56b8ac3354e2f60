"""GRACE's loss (Zhu et al. 2020, arXiv 2006.04131): node-level contrast with inter- and intra-view negatives.

For node ``i`` with embeddings ``u_i`` (view 1) and ``v_i`` (view 2), ``θ`` cosine similarity::

    l(u_i, v_i) = -log  e^{θ(u_i,v_i)/τ}  /  ( e^{θ(u_i,v_i)/τ} + Σ_{k≠i} e^{θ(u_i,v_k)/τ} + Σ_{k≠i} e^{θ(u_i,u_k)/τ} )
    J = 1/(2N) Σ_i [ l(u_i, v_i) + l(v_i, u_i) ]

The embeddings are the head's outputs (GRACE's two-layer projection). More than two views: the mean
over view pairs. Across processes the other nodes are gathered with gradient.

Usage::

    loss = GRACE(temperature=0.5)([u, v])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from anyclr.core import distributed
from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective
from anyclr.objectives.parts.checks import check_temperature


def grace_direction(u: torch.Tensor, u_all: torch.Tensor, v_all: torch.Tensor, temperature: float, offset: int = 0) -> torch.Tensor:
    """Mean ``l(u_i, v_i)`` for the local anchors ``u`` (rows ``offset + i`` of the gathered ``u_all``/``v_all``)."""
    with torch.autocast(device_type=u.device.type, enabled=False):
        a = F.normalize(u.float(), dim=1)
        inter = a @ F.normalize(v_all.float(), dim=1).T / temperature  # positive on the diagonal
        intra = a @ F.normalize(u_all.float(), dim=1).T / temperature
        rows = torch.arange(a.shape[0], device=a.device)
        intra[rows, rows + offset] = float("-inf")  # a node is not its own negative
        pos = inter[rows, rows + offset]
        return (torch.logsumexp(torch.cat([inter, intra], dim=1), dim=1) - pos).mean()


class GRACE(Objective):
    """GRACE's node-level loss: positives are the same node in the other view; all other nodes of both views are negatives.

    Args:
        temperature: τ (default 0.5; GRACE tunes 0.4–0.9 per dataset).
    """

    def __init__(self, temperature: float = 0.5) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise AnyclrError(f"objective.temperature must be positive, got {temperature}.")
        self.temperature = float(temperature)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss from the node embeddings of each view (``[B, D]`` each)."""
        if z[0].shape[0] < 2:
            raise AnyclrError("GRACE needs at least 2 nodes per batch.", "Raise trainer.batch_size.")
        offset = distributed.rank() * z[0].shape[0]
        gathered = [distributed.gather_with_grad(v) for v in z]
        terms = [
            grace_direction(z[a], gathered[a], gathered[b], self.temperature, offset)
            for a in range(len(z))
            for b in range(len(z))
            if a != b
        ]
        return torch.stack(terms).mean()

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
