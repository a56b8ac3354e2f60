"""Bring image batches to float in [0, 1] before any augmentation, and check their shape and dtype."""

from __future__ import annotations

import torch


def to_unit_float(x: torch.Tensor) -> torch.Tensor:
    """Return ``x`` as float32 in [0, 1]: uint8 is divided by 255, floating input is used as it is."""
    if x.dtype == torch.uint8:
        return x.to(torch.float32).div_(255.0)
    if not x.is_floating_point():
        raise TypeError(f"image batches must be uint8 or floating point, got {x.dtype}")
    return x.float() if x.dtype != torch.float32 else x


def as_float(x: torch.Tensor) -> torch.Tensor:
    """Return images as floats in [0, 1]: uint8 becomes float32 divided by 255, floating input keeps its dtype."""
    if x.dtype == torch.uint8:
        return x.to(torch.float32).div_(255.0)
    if not x.is_floating_point():
        raise TypeError(f"image batches must be uint8 or floating point, got {x.dtype}")
    return x


def check_images(x: torch.Tensor) -> None:
    """Raise a clear error unless ``x`` is a batch of uint8 or float images shaped [B, C, H, W]."""
    if not isinstance(x, torch.Tensor) or x.dim() != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"image views expect a tensor shaped [B, C, H, W], got {shape}")
    if x.dtype != torch.uint8 and not x.is_floating_point():
        raise TypeError(f"image batches must be uint8 or floating point, got {x.dtype}")
