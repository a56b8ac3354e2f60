"""Feature noise: add Gaussian noise to node features."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, replace_nodes


class FeatureNoise(nn.Module):
    """Add ``N(0, std²)`` noise to every node feature of the chosen graphs.

    Args:
        std: standard deviation of the noise (default 0.1).
    """

    def __init__(self, std: float = 0.1) -> None:
        super().__init__()
        if std < 0:
            raise ValueError(f"noise std must be >= 0, got {std}")
        self.std = float(std)

    def sample(self, g: Data, active: torch.Tensor) -> torch.Tensor:
        """Return the noise ``[N, F]`` (zero on inactive graphs)."""
        scale = active.float()[graph_index(g)] * self.std
        return torch.randn(g.x.shape, device=g.x.device) * scale[:, None]

    def apply(self, g: Data, noise: torch.Tensor) -> Data:
        """Return ``g`` with ``noise`` added to its features."""
        return replace_nodes(g, x=g.x.float() + noise)

    def forward(self, g: Data, active: torch.Tensor | None = None) -> Data:
        """Return a view of ``g`` with noisy features in the ``active`` graphs (default: all)."""
        active = active if active is not None else torch.ones(count_graphs(g), dtype=torch.bool, device=g.edge_index.device)
        return self.apply(g, self.sample(g, active))

    def extra_repr(self) -> str:
        return f"std={self.std}"
