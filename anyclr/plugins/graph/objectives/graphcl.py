"""GraphCL's loss (You et al. 2020, arXiv 2010.13902): NT-Xent between two views of each graph, other graphs as negatives.

For graph ``n`` with views ``z_n`` and ``z'_n`` (eq. 3 of the paper)::

    l_n = -log  exp(s(z_n, z'_n) / τ)  /  Σ_{n' ≠ n} exp(s(z_n, z'_{n'}) / τ)

— negatives come from the other view only and the positive is *not* in the denominator. With
``symmetric`` the loss is averaged over both directions (and over all ordered view pairs when there
are more than two views). Across processes the candidates are gathered with gradient.

Usage::

    loss = GraphCL(temperature=0.2)([z1, z2])
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Batch

from anyclr.core import distributed
from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective
from anyclr.objectives.parts.checks import check_temperature
from anyclr.plugins.graph.batch import concat_batches


def graphcl_from_logits(logits: torch.Tensor, offset: int = 0) -> torch.Tensor:
    """Mean GraphCL loss from ``[A, M]`` scaled similarities; column ``offset + i`` is row i's positive."""
    rows = torch.arange(logits.shape[0], device=logits.device)
    pos = logits[rows, rows + offset]
    negatives = logits.index_put((rows, rows + offset), torch.tensor(float("-inf"), device=logits.device))
    return (torch.logsumexp(negatives, dim=1) - pos).mean()


def graphcl_loss(anchor: torch.Tensor, other: torch.Tensor, temperature: float, offset: int = 0) -> torch.Tensor:
    """Mean GraphCL loss of ``anchor`` rows against candidates ``other`` (row ``offset + i`` is anchor i's positive)."""
    with torch.autocast(device_type=anchor.device.type, enabled=False):
        a = F.normalize(anchor.float(), dim=1)
        c = F.normalize(other.float(), dim=1)
        return graphcl_from_logits(a @ c.T / temperature, offset)


class GraphCL(Objective):
    """GraphCL's NT-Xent on graph embeddings (τ 0.2; positive left out of the denominator).

    Args:
        temperature: τ (default 0.2, as in GraphCL).
        symmetric: average both directions (default True); False uses view 1 as the only anchor, as the paper.
    """

    def __init__(self, temperature: float = 0.2, symmetric: bool = True) -> None:
        super().__init__()
        check_temperature(temperature)
        if temperature <= 0:
            raise AnyclrError(f"objective.temperature must be positive, got {temperature}.")
        self.temperature, self.symmetric = float(temperature), bool(symmetric)

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss for one batch; views that are PyG Batches go through the encoder as one batch."""
        self.check(views, labels)
        if all(isinstance(v, Batch) for v in views) and len({v.num_graphs for v in views}) == 1:
            # One forward over all views costs about what one view costs; BatchNorm then normalises over
            # every view together, as SimCLR-style training does with its concatenated views.
            z = encoder(concat_batches(views)).chunk(len(views))
            return self(list(z), labels)
        return super().training_step(views, encoder, labels)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss from the embeddings of each view (``[B, D]`` each)."""
        if z[0].shape[0] < 2:
            raise AnyclrError("GraphCL needs at least 2 graphs per batch (the others are the negatives).", "Raise trainer.batch_size.")
        offset = distributed.rank() * z[0].shape[0]
        with torch.autocast(device_type=z[0].device.type, enabled=False):
            normed = [F.normalize(v.float(), dim=1) for v in z]
            gathered = [distributed.gather_with_grad(v) for v in normed]
            losses = []
            for a in range(len(z)):
                for b in range(a + 1, len(z)):
                    logits = normed[a] @ gathered[b].T / self.temperature
                    losses.append(graphcl_from_logits(logits, offset))
                    if self.symmetric:  # one process: the other direction is the transpose
                        back = logits.T if gathered[a] is normed[a] else normed[b] @ gathered[a].T / self.temperature
                        losses.append(graphcl_from_logits(back, offset))
            return torch.stack(losses).mean()

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, symmetric={self.symmetric}"
