"""Identity: leave graphs as they are (an unchanged view, or the "no augmentation" member of a random choice)."""

from __future__ import annotations

import torch
from torch_geometric.data import Data

from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit


class Identity(GraphAugmentation):
    """Change nothing; draws nothing at random (no parameters)."""

    def __init__(self) -> None:
        super().__init__()

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> GraphEdit:
        """Return parameters that change no graph."""
        return GraphEdit(active=torch.zeros_like(active))
