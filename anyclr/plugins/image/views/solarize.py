"""Random solarize: invert the pixels above a threshold."""

from __future__ import annotations

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.image.views.convert import as_float, check_images
from anyclr.plugins.image.views.subset import apply_to_selected


class RandomSolarize(Augmentation):
    """Replace ``v`` by ``1 - v`` where ``v >= threshold`` (default 0.5), per sample with probability ``p`` (default 0.2).

    Parameters: a bool mask [B], which samples to solarize. Takes uint8 or float images; returns floats in
    [0, 1]. BYOL uses it (p 0.2 on one view), SimCLR does not.
    """

    def __init__(self, threshold: float = 0.5, p: float = 0.2) -> None:
        super().__init__()
        self.threshold = float(threshold)
        self.p = float(p)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return a bool mask [B]: which samples to solarize."""
        check_images(inputs)
        return torch.rand(inputs.shape[0], device=inputs.device, generator=generator) < self.p

    def apply(self, inputs: torch.Tensor, params: torch.Tensor, inplace: bool = False) -> torch.Tensor:
        """Solarize the masked samples (writing into the input if ``inplace`` and it is already float)."""
        t = self.threshold
        return apply_to_selected(as_float(inputs), params, lambda sub, _: torch.where(sub >= t, 1.0 - sub, sub), inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, p={self.p}"
