"""Attribute masking (GraphCL) and feature masking (GRACE): hide node features."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Data

from anyclr.plugins.graph.batch import count_graphs, graph_index, replace_nodes
from anyclr.plugins.graph.views.base import GraphAugmentation, GraphEdit, restrict

MODES = ("node", "feature")
FILLS = ("zero", "noise", "mean")


@dataclass(kw_only=True)
class AttributeMaskParams(GraphEdit):
    """The mask (``[N]`` masked nodes, or ``[G, F]`` masked feature columns per graph) and the noise fill ``[N, F]``."""

    mask: torch.Tensor
    noise: torch.Tensor | None = None

    def after_keep(self, keep: torch.Tensor) -> AttributeMaskParams:
        """Cut the per-node mask and noise to the kept nodes (per-graph columns stay as they are)."""
        if self.mask.dim() == 1:
            return restrict(self, keep, mask=self.mask, noise=self.noise)
        return restrict(self, keep, noise=self.noise)


class AttributeMask(GraphAugmentation):
    """Mask node features: whole nodes (GraphCL) or whole feature columns per graph (GRACE).

    Args:
        ratio: probability that a node (``mode="node"``) or a feature column of a graph
            (``mode="feature"``) is masked (default 0.2).
        mode: ``node`` or ``feature`` (default ``node``).
        fill: masked values become ``zero``, Gaussian ``noise`` (mean 0.5, std 0.5, as in GraphCL),
            or the batch ``mean`` of that feature (default ``zero``).
        p: probability that a graph is augmented (default 1).
    """

    def __init__(self, ratio: float = 0.2, mode: str = "node", fill: str = "zero", p: float = 1.0) -> None:
        super().__init__(p)
        if not 0 <= ratio <= 1:
            raise ValueError(f"attribute mask ratio must be in [0, 1], got {ratio}")
        if mode not in MODES:
            raise ValueError(f"attribute mask mode must be one of {MODES}, got {mode!r}")
        if fill not in FILLS:
            raise ValueError(f"attribute mask fill must be one of {FILLS}, got {fill!r}")
        self.ratio, self.mode, self.fill = float(ratio), mode, fill

    def sample_graphs(self, g: Data, active: torch.Tensor, generator: torch.Generator | None) -> AttributeMaskParams:
        """Draw the mask (inactive graphs are unmasked) and, for the ``noise`` fill, the noise."""
        batch = graph_index(g)
        if self.mode == "node":
            mask = (torch.rand(batch.numel(), generator=generator, device=batch.device) < self.ratio) & active[batch]
        else:
            cols = torch.rand(count_graphs(g), g.x.shape[1], generator=generator, device=batch.device) < self.ratio
            mask = cols & active[:, None]
        noise = None
        if self.fill == "noise":
            dtype = g.x.dtype if torch.is_floating_point(g.x) else torch.float32
            noise = torch.randn(g.x.shape, generator=generator, dtype=dtype, device=g.x.device) * 0.5 + 0.5
        return AttributeMaskParams(active=active, mask=mask, noise=noise)

    def change(self, g: Data, params: AttributeMaskParams) -> Data:
        """Return ``g`` with the masked features replaced by the fill."""
        x = g.x.float() if not torch.is_floating_point(g.x) else g.x
        full = params.mask[:, None].expand_as(x) if self.mode == "node" else params.mask[graph_index(g)]
        if self.fill == "zero":
            fill = torch.zeros((), dtype=x.dtype, device=x.device)
        elif self.fill == "noise":
            fill = params.noise
        else:
            fill = x.mean(dim=0, keepdim=True).expand_as(x)
        return replace_nodes(g, x=torch.where(full, fill, x))

    def extra_repr(self) -> str:
        return self.with_p(f"ratio={self.ratio}, mode={self.mode!r}, fill={self.fill!r}")
