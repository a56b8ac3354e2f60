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
from torch import nn
from torch_geometric.data import Batch

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective, views_in_one_batch
from anyclr.losses import (
    GatheredViews,
    check_embeddings,
    check_temperature,
    full_precision,
    gather_views,
    masked_logsumexp,
    share_of_mean,
)
from anyclr.plugins.graph.batch import concat_batches


def graphcl_terms(g: GatheredViews, anchor: int, other: int, temperature: float) -> torch.Tensor:
    """Per local graph, ``l_n`` with view ``anchor`` as anchors and view ``other`` (all ranks') as candidates, ``[B]``."""
    b = g.local_batch
    positive = (torch.arange(b, device=g.local.device) + g.offset)[:, None]  # left out of the denominator
    negatives = masked_logsumexp(g.local[anchor], g.full[other], positive, 1.0 / temperature)
    return negatives - (g.local[anchor] * g.local[other]).sum(1) / temperature


def check_graphs(z: list[torch.Tensor], owner: str, min_views: int = 2) -> None:
    """Raise unless ``z`` holds ``min_views`` or more ``[B, D]`` batches of at least 2 graphs (the others are the negatives)."""
    if z and z[0].dim() == 2 and z[0].shape[0] < 2:
        raise AnyclrError(f"{owner} needs at least 2 graphs per batch (the others are the negatives).", "Raise trainer.batch_size.")
    check_embeddings(z, owner, min_views=min_views)


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
        """Return the loss for one batch; PyG views go through the encoder as one batch unless ``view_batches`` is separate."""
        self.check(views, labels)
        if views_in_one_batch() and all(isinstance(v, Batch) for v in views) and len({v.num_graphs for v in views}) == 1:
            # One forward over all views costs about what one view costs; BatchNorm then normalises over
            # every view together, as SimCLR-style training does with its concatenated views.
            z = encoder(concat_batches(views)).chunk(len(views))
            return self(list(z), labels)
        return super().training_step(views, encoder, labels)

    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss from the embeddings of each view (``[B, D]`` each)."""
        check_graphs(z, "GraphCL")
        g = gather_views(z)
        v = g.n_views
        pairs = [(a, c) for a in range(v) for c in range(v) if a != c and (self.symmetric or a < c)]
        total = sum(graphcl_terms(g, a, c, self.temperature).sum() for a, c in pairs)
        return share_of_mean(total, len(pairs) * g.local_batch)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, symmetric={self.symmetric}"
