"""Colour jitter: random brightness, contrast, saturation and hue per sample, folded into one affine colour map."""

from __future__ import annotations

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.image.views.color_map import (
    apply_color_map,
    constant,
    hue_matrix,
    luma_weights,
    saturation_matrix,
)
from anyclr.plugins.image.views.convert import as_float, check_images


def _range(value: float, centre: float, name: str, lower: float | None = 0.0) -> tuple[float, float]:
    if value < 0:
        raise ValueError(f"colour jitter {name} must be >= 0, got {value}")
    low = centre - value if lower is None else max(lower, centre - value)
    return low, centre + value


class ColorJitter(Augmentation):
    """Jitter brightness, contrast, saturation and hue of each image with probability ``p``.

    Parameters: per-sample factors [B, 4] (brightness, contrast, saturation, hue; neutral ``1, 1, 1, 0``
    where a sample is not jittered). Factors follow torchvision: brightness, contrast and saturation factors are uniform in
    ``[max(0, 1 - v), 1 + v]`` and the hue shift in ``[-hue, hue]``; every sample gets its own factors.

    Each step is an affine map of the colour vector: brightness ``f x``; contrast ``f x + (1 - f) m`` with
    ``m`` the image's mean grey; saturation ``f x + (1 - f) grey``; hue a rotation about the grey axis
    (:func:`~anyclr.plugins.image.views.color_map.hue_matrix`). All four keep greys grey and the luma mean
    in step, so they commute and compose into one 3×3 matrix and offset per sample, built from the image's
    channel means; the pixels are touched by a single batched matrix product. Two deliberate differences
    from torchvision, which applies the steps one by one in a random order: the hue is a YIQ rotation, not
    an HSV one, and the result is clamped to [0, 1] once at the end rather than after every step (which is
    the only reason the order mattered there). They agree exactly when no step leaves the unit cube. On
    images with other than 3 channels only brightness and contrast apply (grey = channel mean). Takes uint8
    or float images; returns floats in [0, 1] (float input keeps its dtype).

    Args:
        brightness: brightness strength (default 0.4).
        contrast: contrast strength (default 0.4).
        saturation: saturation strength (default 0.4).
        hue: hue strength, at most 0.5 (default 0.1).
        p: probability of jittering a sample (default 0.8).
    """

    def __init__(
        self,
        brightness: float = 0.4,
        contrast: float = 0.4,
        saturation: float = 0.4,
        hue: float = 0.1,
        p: float = 0.8,
    ) -> None:
        super().__init__()
        if not 0 <= hue <= 0.5:
            raise ValueError(f"colour jitter hue must be in [0, 0.5], got {hue}")
        self.ranges = (
            _range(brightness, 1.0, "brightness"),
            _range(contrast, 1.0, "contrast"),
            _range(saturation, 1.0, "saturation"),
            (-float(hue), float(hue)),
        )
        self.p = float(p)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return per-sample factors [B, 4]: brightness, contrast, saturation, hue (neutral where not jittered)."""
        check_images(inputs)
        batch, device = inputs.shape[0], inputs.device
        low = constant(tuple(r[0] for r in self.ranges), device)
        span = constant(tuple(r[1] - r[0] for r in self.ranges), device)
        factors = low + span * torch.rand(batch, 4, device=device, generator=generator)
        neutral = constant((1.0, 1.0, 1.0, 0.0), device)
        keep = torch.rand(batch, 1, device=device, generator=generator) < self.p
        return torch.where(keep, factors, neutral)

    def matrix(self, factors: torch.Tensor, channels: int) -> torch.Tensor:
        """Return the composed per-sample colour matrices [B, C, C] (they do not depend on the image)."""
        bright, contrast, sat, hue = factors.unbind(1)
        scale = (bright * contrast).view(-1, 1, 1)
        if channels != 3:
            return scale * torch.eye(channels, device=factors.device, dtype=factors.dtype)
        w = luma_weights(3, factors.device, factors.dtype)
        return scale * (saturation_matrix(sat, w) @ hue_matrix(hue))

    def offset(self, factors: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
        """Return the per-sample offsets [B, C] (a grey) from the images' channel means [B, C]."""
        bright, contrast = factors.to(mean.dtype)[:, :2].unbind(1)
        grey = mean @ luma_weights(mean.shape[1], mean.device, mean.dtype)
        # Contrast pulls towards the mean grey, which brightness scales whether it comes first or second.
        return ((1.0 - contrast) * bright * grey).unsqueeze(1).expand_as(mean)

    def color_map(self, factors: torch.Tensor, mean: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the composed per-sample map: matrices [B, C, C] and offsets [B, C], from channel means [B, C]."""
        return self.matrix(factors.to(mean.dtype), mean.shape[1]), self.offset(factors, mean)

    def apply(self, inputs: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Apply the sampled factors [B, 4] as one colour map per sample."""
        x = as_float(inputs)
        return apply_color_map(x, *self.color_map(params, x.mean(dim=(2, 3))))

    def extra_repr(self) -> str:
        names = ("brightness", "contrast", "saturation", "hue")
        return ", ".join(f"{n}={r}" for n, r in zip(names, self.ranges, strict=True)) + f", p={self.p}"
