"""Feature noise: add Gaussian noise to node features."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import graph_index, replace_nodes
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit, restrict


@dataclass(kw_only=True)
class FeatureNoiseParams(GraphEdit):
    """The noise ``[N, F]`` added to the node features (zero on inactive graphs)."""

    noise: torch.Tensor

    def after_keep(self, keep: torch.Tensor) -> FeatureNoiseParams:
        """Cut the noise to the kept nodes."""
        return restrict(self, keep, noise=self.noise)


class FeatureNoise(GraphAugmentation):
    """Add ``N(0, std²)`` noise to every node feature of the augmented graphs.

    Args:
        std: standard deviation of the noise (default 0.1).
        p: probability that a graph is augmented (default 1).
    """

    def __init__(self, std: float = 0.1, p: float = 1.0) -> None:
        super().__init__(p)
        if std < 0:
            raise ValueError(f"noise std must be >= 0, got {std}")
        self.std = float(std)

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> FeatureNoiseParams:
        """Draw the noise ``[N, F]`` (zero on inactive graphs)."""
        scale = active.float()[graph_index(g)] * self.std
        return FeatureNoiseParams(active=active, noise=torch.randn(g.x.shape, generator=generator, device=g.x.device) * scale[:, None])

    def change(self, g: Data, params: FeatureNoiseParams) -> Data:
        """Return ``g`` with the noise added to its features."""
        return replace_nodes(g, x=g.x.float() + params.noise)

    def extra_repr(self) -> str:
        return self.with_p(f"std={self.std}")
