"""Per-sample affine colour maps ``x ↦ M x + t``: building blocks (saturation, hue, grayscale) and one batched apply."""

from __future__ import annotations

from functools import lru_cache

import torch

from anyclr.plugins.image.views.grayscale import LUMA

# RGB → YIQ with torchvision's luma weights as the Y row. The I and Q rows sum to 0, so greys stay grey.
_YIQ = torch.tensor([[LUMA[0], LUMA[1], LUMA[2]], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], dtype=torch.float64)


def _hue_basis() -> tuple[float, ...]:
    """Return ``[3, 3, 3]`` flattened: P0, P1, P2 with ``hue_matrix(θ) = P0 + cos(2πθ) P1 + sin(2πθ) P2``."""
    inv = torch.linalg.inv(_YIQ)
    # Rotating (I, Q) by -2πθ turns red towards yellow for θ > 0, the direction of HSV's hue.
    turn = torch.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    keep_y = inv[:, :1] @ _YIQ[:1]
    cos = inv[:, 1:] @ _YIQ[1:]
    sin = inv[:, 1:] @ turn @ _YIQ[1:]
    return tuple(torch.stack([keep_y, cos, sin]).flatten().tolist())


_HUE_BASIS = _hue_basis()


@lru_cache(maxsize=64)
def constant(values: tuple, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Return a small constant tensor on ``device``, cached: a host copy on every call would stall accelerators."""
    return torch.tensor(values, device=device, dtype=dtype)


def luma_weights(channels: int, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Return the grey weights [C]: ITU-R 601 luma for RGB, the plain channel mean otherwise."""
    if channels == 3:
        return constant(LUMA, device, dtype)
    return torch.full((channels,), 1.0 / channels, device=device, dtype=dtype)


def grey_matrix(weights: torch.Tensor) -> torch.Tensor:
    """Return the [C, C] matrix that replaces every channel by the weighted grey ``weights · x``."""
    return weights.expand(len(weights), -1)


def saturation_matrix(factor: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Return [B, C, C] maps blending each image with its grey: ``f x + (1 - f) grey`` (torchvision's saturation)."""
    eye = torch.eye(len(weights), device=factor.device, dtype=factor.dtype)
    f = factor.view(-1, 1, 1)
    return f * eye + (1.0 - f) * grey_matrix(weights)


def hue_matrix(shift: torch.Tensor) -> torch.Tensor:
    """Return [B, 3, 3] hue rotations by ``shift`` [B] turns about the grey axis in YIQ space.

    This is the linear hue of image pipelines such as NVIDIA DALI's colour twist, not torchvision's HSV hue:
    both keep greys and turn red towards yellow for positive shifts, but the YIQ rotation keeps luma instead
    of HSV value and saturation, and may leave the RGB cube (the caller clamps). They are different maps: on
    photos a 0.1-turn shift moves pixels by about 0.05 (HSV) or 0.06 (YIQ) on average, and the two results
    differ by about 0.06, so treat the YIQ hue as a hue augmentation of similar strength, not torchvision's.
    """
    basis = constant(_HUE_BASIS, shift.device, shift.dtype).view(3, 3, 3)
    angle = (2 * torch.pi) * shift.view(-1, 1, 1)
    return basis[0] + angle.cos() * basis[1] + angle.sin() * basis[2]


def apply_color_map(
    x: torch.Tensor, matrix: torch.Tensor, offset: torch.Tensor, out: torch.Tensor | None = None
) -> torch.Tensor:
    """Return ``clamp(M x + t, 0, 1)`` per pixel, for images [B, C, H, W], maps [B, C, C] and offsets [B, C].

    One batched matrix product over all pixels (a single pass), whatever the number of colour steps folded
    into ``matrix``; 1-channel images take a multiply-add. ``out`` (contiguous, like ``x``) receives the result.
    """
    b, c, h, w = x.shape
    matrix = matrix.to(x.dtype)
    offset = offset.to(x.dtype)
    if out is None:
        out = torch.empty_like(x, memory_format=torch.contiguous_format)
    if c == 1:
        torch.addcmul(offset.view(b, 1, 1, 1), x, matrix.view(b, 1, 1, 1), out=out)
    else:
        torch.baddbmm(offset.unsqueeze(2), matrix, x.reshape(b, c, h * w), out=out.view(b, c, h * w))
    return out.clamp_(0.0, 1.0)


def then_grey(matrix: torch.Tensor, offset: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the maps [B, C, C] and offsets [B, C] followed by conversion to grey where ``mask`` [B] is true."""
    weights = luma_weights(matrix.shape[1], matrix.device, matrix.dtype)
    grey = grey_matrix(weights)
    m = mask.view(-1, 1, 1)
    return torch.where(m, grey @ matrix, matrix), torch.where(m.view(-1, 1), offset @ grey.T, offset)
