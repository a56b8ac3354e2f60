"""Random horizontal flip with a per-sample coin."""

from __future__ import annotations

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.image.views.convert import as_float, check_images


class RandomHorizontalFlip(Augmentation):
    """Mirror each image left-right with probability ``p`` (default 0.5).

    Parameters: a bool mask [B], which samples to mirror. ``image-simclr`` folds the flip into the crop's
    resampling grid (see :class:`~anyclr.plugins.image.views.resized_crop.CropWindows`), where it costs
    nothing; this is the stand-alone form. Takes uint8 or float images; returns floats in [0, 1].
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = float(p)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return a bool mask [B]: which samples to flip."""
        check_images(inputs)
        return torch.rand(inputs.shape[0], device=inputs.device, generator=generator) < self.p

    def apply(self, inputs: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Mirror the samples where ``params`` is true."""
        x = as_float(inputs)
        return torch.where(params.view(-1, 1, 1, 1), x.flip(-1), x)

    def extra_repr(self) -> str:
        return f"p={self.p}"
