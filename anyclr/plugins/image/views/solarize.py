"""Random solarize: invert the pixels above a threshold."""

from __future__ import annotations

import torch
from torch import nn

from anyclr.plugins.image.views.subset import apply_to_selected


class RandomSolarize(nn.Module):
    """Replace ``v`` by ``1 - v`` where ``v >= threshold`` (default 0.5), per sample with probability ``p`` (default 0.2).

    Expects float images in [0, 1]; BYOL uses it (p 0.2 on one view), SimCLR does not.
    """

    def __init__(self, threshold: float = 0.5, p: float = 0.2) -> None:
        super().__init__()
        self.threshold = float(threshold)
        self.p = float(p)

    def sample(self, batch: int, device: torch.device) -> torch.Tensor:
        """Return a bool mask [B]: which samples to solarize."""
        return torch.rand(batch, device=device) < self.p

    def apply(self, x: torch.Tensor, mask: torch.Tensor, inplace: bool = False) -> torch.Tensor:
        """Solarize the masked samples (writing into ``x`` if ``inplace``)."""
        t = self.threshold
        return apply_to_selected(x, mask, lambda sub, _: torch.where(sub >= t, 1.0 - sub, sub), inplace)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x`` with a random subset of samples solarized."""
        return self.apply(x, self.sample(x.shape[0], x.device))

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, p={self.p}"
