"""Attribute masking (GraphCL) and feature masking (GRACE): hide node features."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, replace_nodes

MODES = ("node", "feature")
FILLS = ("zero", "noise", "mean")


class AttributeMask(nn.Module):
    """Mask node features: whole nodes (GraphCL) or whole feature columns per graph (GRACE).

    Args:
        ratio: probability that a node (``mode="node"``) or a feature column of a graph
            (``mode="feature"``) is masked (default 0.2).
        mode: ``node`` or ``feature`` (default ``node``).
        fill: masked values become ``zero``, Gaussian ``noise`` (mean 0.5, std 0.5, as in GraphCL),
            or the batch ``mean`` of that feature (default ``zero``).
    """

    def __init__(self, ratio: float = 0.2, mode: str = "node", fill: str = "zero") -> None:
        super().__init__()
        if not 0 <= ratio <= 1:
            raise ValueError(f"attr_mask ratio must be in [0, 1], got {ratio}")
        if mode not in MODES:
            raise ValueError(f"mask_mode must be one of {MODES}, got {mode!r}")
        if fill not in FILLS:
            raise ValueError(f"mask_fill must be one of {FILLS}, got {fill!r}")
        self.ratio, self.mode, self.fill = float(ratio), mode, fill

    def sample(self, g: Data, active: torch.Tensor) -> torch.Tensor:
        """Return the mask: ``[N]`` (node mode) or ``[G, F]`` (feature mode); inactive graphs are unmasked."""
        batch = graph_index(g)
        if self.mode == "node":
            return (torch.rand(batch.numel(), device=batch.device) < self.ratio) & active[batch]
        cols = torch.rand(count_graphs(g), g.x.shape[1], device=batch.device) < self.ratio
        return cols & active[:, None]

    def apply(self, g: Data, mask: torch.Tensor) -> Data:
        """Return ``g`` with the masked features replaced by the fill."""
        x = g.x.float() if not torch.is_floating_point(g.x) else g.x
        full = mask[:, None].expand_as(x) if self.mode == "node" else mask[graph_index(g)]
        if self.fill == "zero":
            fill = torch.zeros((), dtype=x.dtype, device=x.device)
        elif self.fill == "noise":
            fill = torch.randn_like(x) * 0.5 + 0.5
        else:
            fill = x.mean(dim=0, keepdim=True).expand_as(x)
        return replace_nodes(g, x=torch.where(full, fill, x))

    def forward(self, g: Data, active: torch.Tensor | None = None) -> Data:
        """Return a view of ``g`` with features masked in the ``active`` graphs (default: all)."""
        active = active if active is not None else torch.ones(count_graphs(g), dtype=torch.bool, device=g.edge_index.device)
        return self.apply(g, self.sample(g, active))

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, mode={self.mode!r}, fill={self.fill!r}"
