"""Random grayscale: replace an RGB image by its luma in all three channels."""

from __future__ import annotations

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.image.views.convert import as_float, check_images
from anyclr.plugins.image.views.subset import apply_to_selected

# ITU-R 601 luma weights as torchvision rounds them (rgb_to_grayscale, adjust_contrast).
LUMA = (0.2989, 0.587, 0.114)


def luma(x: torch.Tensor) -> torch.Tensor:
    """Return the luma [B, 1, H, W] of RGB images [B, 3, H, W]."""
    r, g, b = x.unbind(1)
    return (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b).unsqueeze(1)


class RandomGrayscale(Augmentation):
    """Convert each RGB image to grayscale (kept as 3 channels) with probability ``p`` (default 0.2).

    Parameters: a bool mask [B], which samples to convert. Images with other than 3 channels are returned
    unchanged (grayscale has no meaning for them). Takes uint8 or float images; returns floats in [0, 1].
    """

    def __init__(self, p: float = 0.2) -> None:
        super().__init__()
        self.p = float(p)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return a bool mask [B]: which samples to convert."""
        check_images(inputs)
        return torch.rand(inputs.shape[0], device=inputs.device, generator=generator) < self.p

    def apply(self, inputs: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Replace the masked samples by their luma."""
        x = as_float(inputs)
        if x.shape[1] != 3:
            return x
        return apply_to_selected(x, params, lambda sub, _: luma(sub).expand_as(sub))

    def extra_repr(self) -> str:
        return f"p={self.p}"
