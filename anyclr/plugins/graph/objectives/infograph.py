"""InfoGraph (Sun et al. 2020, arXiv 1908.01000): maximise local–global mutual information with a JSD estimator.

Node ("local") embeddings ``h_v`` and graph ("global") embeddings ``h_G`` of the same backbone go through
two small discriminator networks; the score of a pair is ``φ(h_v) · ψ(h_G)``. Pairs where node ``v``
belongs to graph ``G`` are positive, all other pairs in the batch negative. With ``sp`` = softplus::

    loss = E_neg[ sp(-s) + s - log 2 ] - E_pos[ log 2 - sp(-s) ]      (the JSD bound, as InfoGraph's code)

``contrast`` > 0 adds that weight times GraphCL's NT-Xent between the views' projected graph
embeddings (the encoder's head), combining local–global and view-invariance signals.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective
from anyclr.losses import float32_region, gather_batch, share_of_mean, upcast
from anyclr.plugins.graph.batch import NodeBatch
from anyclr.plugins.graph.objectives.graphcl import GraphCL

LOG2 = math.log(2.0)


class FF(nn.Module):
    """InfoGraph's discriminator: three Linear-ReLU layers plus a linear shortcut."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.block = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim), nn.ReLU())
        self.shortcut = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x) + self.shortcut(x)


def local_global_jsd(local: torch.Tensor, glob: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
    """Return InfoGraph's JSD loss for node scores ``local [N, D]``, graph scores ``glob [G, D]`` and node→graph ``batch``.

    Across processes every rank scores its own nodes against every rank's graphs (gathered with
    gradient) and returns its share of the global means, so each (node, graph) pair counts once.
    """
    with float32_region(local.device):
        local, glob = upcast([local, glob])
        graphs, offset = gather_batch(glob)
        scores = local @ graphs.T  # [N, all graphs]
        pos = F.one_hot(batch + offset, graphs.shape[0]).bool()
        e_pos = share_of_mean((LOG2 - F.softplus(-scores[pos])).sum(), int(local.shape[0]))
        if graphs.shape[0] == 1:  # one graph in the whole batch: no negative pairs anywhere
            return -e_pos
        neg = scores[~pos]
        e_neg = share_of_mean((F.softplus(-neg) + neg - LOG2).sum(), int(neg.numel()))
        return e_neg - e_pos


class InfoGraph(Objective):
    """InfoGraph's local–global JSD objective, optionally plus GraphCL's contrast between views.

    Args:
        feature_dim: the backbone's width (filled in by the builder).
        contrast: weight of the added GraphCL term between views (default 0: pure InfoGraph).
        temperature: τ of that term (default 0.2).

    Needs a backbone with ``encode(inputs) -> (nodes, graphs, batch)`` (every graph backbone here has it).
    """

    min_views = 1

    def __init__(self, feature_dim: int, contrast: float = 0.0, temperature: float = 0.2) -> None:
        super().__init__()
        self.local_d = FF(feature_dim)
        self.global_d = FF(feature_dim)
        self.contrast = float(contrast)
        self.graphcl = GraphCL(temperature)
        self.min_views = 2 if self.contrast > 0 else 1

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the mean JSD loss over the views (plus the weighted contrast term)."""
        self.check(views, labels)
        backbone = getattr(encoder, "backbone", encoder)
        if not hasattr(backbone, "encode"):
            raise AnyclrError(
                "InfoGraph needs node and graph embeddings from the backbone, but it has no encode() method.",
                "Use a graph backbone (gin, gcn, gat, graphsage).",
            )
        if isinstance(views[0], NodeBatch):
            raise AnyclrError(
                "InfoGraph contrasts nodes with the graph they belong to, but this dataset's samples are the nodes of one graph.",
                "For node-level data use objective.name=grace.",
            )
        losses, graphs = [], []
        for view in views:
            nodes, graph, batch = backbone.encode(view)
            losses.append(local_global_jsd(self.local_d(nodes), self.global_d(graph), batch))
            graphs.append(graph)
        loss = torch.stack(losses).mean()
        if self.contrast > 0:
            head = getattr(encoder, "head", nn.Identity())
            loss = loss + self.contrast * self.graphcl([head(g) for g in graphs])
        return loss

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """InfoGraph needs node embeddings, which plain view embeddings lack; use :meth:`training_step`."""
        raise AnyclrError("InfoGraph is computed from node and graph embeddings inside training_step().")

    def extra_repr(self) -> str:
        return f"contrast={self.contrast}"
