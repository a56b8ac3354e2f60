"""Random resized crop: a random area/aspect window per sample, resampled to a fixed size in one batched call."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from anyclr.core.views import Augmentation
from anyclr.plugins.image.views.convert import as_float, check_images


def as_size(size: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """Return ``(height, width)`` from an int side or a pair."""
    if isinstance(size, int):
        return size, size
    h, w = size
    return int(h), int(w)


@dataclass
class CropWindows:
    """The parameters of a resized crop: one window per sample, and which samples to mirror.

    ``flip`` is None for the crop alone; a pipeline that also flips (``image-simclr``) sets it, and the
    mirror then rides in the crop's sampling grid at no cost.
    """

    boxes: torch.Tensor  # [B, 4] float pixels: top, left, height, width
    flip: torch.Tensor | None = None  # [B] bool


class RandomResizedCrop(Augmentation):
    """Crop a random window of each image and resize it to ``image_size`` (torchvision's sampling, batched).

    Window area is a uniform fraction ``scale`` of the image and its aspect ratio is log-uniform in ``ratio``;
    as in torchvision, up to ``attempts`` candidates are drawn per sample and the first that fits is kept
    (a centre crop at the clamped ratio otherwise). All windows are resampled by one bilinear
    ``grid_sample`` over the batch, which is several times faster on CPU than kornia's crop-and-warp.
    Takes uint8 or float images [B, C, H, W]; returns floats in [0, 1].

    Args:
        image_size: output side or ``(height, width)``; injected from the dataset in a recipe (None: the
            input's size).
        scale: range of the window's area as a fraction of the image (default ``(0.08, 1.0)``).
        ratio: range of the window's aspect ratio width/height (default ``(3/4, 4/3)``).
        attempts: candidates drawn per sample before falling back to a centre crop (default 10).
    """

    def __init__(
        self,
        image_size: int | tuple[int, int] | list[int] | None = None,
        scale: tuple[float, float] | list[float] = (0.08, 1.0),
        ratio: tuple[float, float] | list[float] = (3 / 4, 4 / 3),
        attempts: int = 10,
    ) -> None:
        super().__init__()
        self.size = None if image_size is None else as_size(image_size)
        self.scale = (float(scale[0]), float(scale[1]))
        self.ratio = (float(ratio[0]), float(ratio[1]))
        if not 0 < self.scale[0] <= self.scale[1] <= 1:
            raise ValueError(f"crop scale must satisfy 0 < low <= high <= 1, got {list(scale)}")
        if not 0 < self.ratio[0] <= self.ratio[1]:
            raise ValueError(f"crop ratio must satisfy 0 < low <= high, got {list(ratio)}")
        self.attempts = int(attempts)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> CropWindows:
        """Return one window per sample of the batch ``inputs`` [B, C, H, W] (no flip)."""
        check_images(inputs)
        batch, _, height, width = inputs.shape
        device = inputs.device
        area = height * width
        k = self.attempts
        target = area * torch.empty(batch, k, device=device).uniform_(*self.scale, generator=generator)
        log_ratio = torch.empty(batch, k, device=device).uniform_(
            math.log(self.ratio[0]), math.log(self.ratio[1]), generator=generator
        )
        aspect = log_ratio.exp()
        w = (target * aspect).sqrt().round()
        h = (target / aspect).sqrt().round()
        fits = (w > 0) & (h > 0) & (w <= width) & (h <= height)
        # First candidate that fits; argmax of a bool picks the first True (0 when none fits).
        first = fits.int().argmax(dim=1, keepdim=True)
        any_fit = fits.any(dim=1)
        w = w.gather(1, first).squeeze(1)
        h = h.gather(1, first).squeeze(1)
        # torchvision's fallback: the whole image cropped to the nearest allowed aspect ratio, centred.
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            fw, fh = width, round(width / self.ratio[0])
        elif in_ratio > self.ratio[1]:
            fw, fh = round(height * self.ratio[1]), height
        else:
            fw, fh = width, height
        w = torch.where(any_fit, w, torch.full_like(w, fw))
        h = torch.where(any_fit, h, torch.full_like(h, fh))
        u = torch.rand(batch, 2, device=device, generator=generator)
        top = torch.where(any_fit, (u[:, 0] * (height - h + 1)).floor(), ((height - h) / 2).floor())
        left = torch.where(any_fit, (u[:, 1] * (width - w + 1)).floor(), ((width - w) / 2).floor())
        return CropWindows(torch.stack([top, left, h, w], dim=1))

    def apply(self, inputs: torch.Tensor, params: CropWindows) -> torch.Tensor:
        """Resample each image's window to the output size, mirrored where ``params.flip`` says so."""
        x = as_float(inputs)
        b, _, height, width = x.shape
        top, left, h, w = params.boxes.to(x.dtype).unbind(1)
        flip = params.flip
        # Affine map from output coords in [-1, 1] to input coords (align_corners=False convention).
        sx = w / width
        sy = h / height
        cx = (2 * left + w) / width - 1
        cy = (2 * top + h) / height - 1
        if flip is not None:
            sx = torch.where(flip, -sx, sx)
        # The map is axis-aligned, so the sampling grid is an outer sum (cheaper than affine_grid's bmm).
        out_h, out_w = self.size or (height, width)
        base_x = (torch.arange(out_w, device=x.device, dtype=x.dtype) * 2 + 1) / out_w - 1
        base_y = (torch.arange(out_h, device=x.device, dtype=x.dtype) * 2 + 1) / out_h - 1
        gx = sx.view(-1, 1) * base_x + cx.view(-1, 1)  # [B, W_out]
        gy = sy.view(-1, 1) * base_y + cy.view(-1, 1)  # [B, H_out]
        grid = torch.empty(b, out_h, out_w, 2, device=x.device, dtype=x.dtype)
        grid[..., 0] = gx.unsqueeze(1)
        grid[..., 1] = gy.unsqueeze(2)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    def extra_repr(self) -> str:
        return f"size={self.size}, scale={self.scale}, ratio={tuple(round(r, 3) for r in self.ratio)}"
