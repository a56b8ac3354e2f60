"""Random grayscale: replace an RGB image by its luma in all three channels."""

from __future__ import annotations

import torch
from torch import nn

from anyclr.plugins.image.views.subset import apply_to_selected

# ITU-R 601 luma weights as torchvision rounds them (rgb_to_grayscale, adjust_contrast).
LUMA = (0.2989, 0.587, 0.114)


def luma(x: torch.Tensor) -> torch.Tensor:
    """Return the luma [B, 1, H, W] of RGB images [B, 3, H, W]."""
    r, g, b = x.unbind(1)
    return (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b).unsqueeze(1)


class RandomGrayscale(nn.Module):
    """Convert each RGB image to grayscale (kept as 3 channels) with probability ``p`` (default 0.2).

    Images with other than 3 channels are returned unchanged (grayscale has no meaning for them).
    """

    def __init__(self, p: float = 0.2) -> None:
        super().__init__()
        self.p = float(p)

    def sample(self, batch: int, device: torch.device) -> torch.Tensor:
        """Return a bool mask [B]: which samples to convert."""
        return torch.rand(batch, device=device) < self.p

    def apply(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Replace the masked samples by their luma."""
        if x.shape[1] != 3:
            return x
        return apply_to_selected(x, mask, lambda sub, _: luma(sub).expand_as(sub))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x`` with a random subset of samples turned to grayscale."""
        return self.apply(x, self.sample(x.shape[0], x.device))

    def extra_repr(self) -> str:
        return f"p={self.p}"
