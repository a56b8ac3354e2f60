"""Shared by the image readers: splitting, resizing, and packing uint8 images into a DataBundle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from anyclr.core.data import DataBundle, TensorSamples


def flatten_pixels(images: torch.Tensor) -> torch.Tensor:
    """Return a batch of images as flat float pixels in [0, 1] (the raw-input baseline's features)."""
    x = images.float() / 255.0 if images.dtype == torch.uint8 else images.float()
    return x.flatten(1)


def resize_images(images: torch.Tensor, size: int | Sequence[int], chunk: int = 4096) -> torch.Tensor:
    """Resize uint8 images [N, C, H, W] to ``size`` (bilinear, antialiased when shrinking); returns uint8."""
    out_size = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if tuple(images.shape[-2:]) == out_size:
        return images
    parts = []
    for start in range(0, len(images), chunk):  # chunks bound the float copy's memory
        x = images[start : start + chunk].float()
        x = F.interpolate(x, size=out_size, mode="bilinear", align_corners=False, antialias=True)
        parts.append(x.round_().clamp_(0, 255).to(torch.uint8))
    return torch.cat(parts) if parts else images.new_zeros((0, images.shape[1], *out_size))


def channel_stats(images: torch.Tensor, chunk: int = 4096) -> tuple[list[float], list[float]]:
    """Return per-channel mean and standard deviation of uint8 images, in [0, 1] units."""
    c = images.shape[1]
    total = torch.zeros(c, dtype=torch.float64)
    total_sq = torch.zeros(c, dtype=torch.float64)
    for start in range(0, len(images), chunk):
        x = images[start : start + chunk].double() / 255.0
        total += x.sum(dim=(0, 2, 3))
        total_sq += (x * x).sum(dim=(0, 2, 3))
    n = max(1, images.shape[0] * images.shape[2] * images.shape[3])
    mean = total / n
    std = (total_sq / n - mean**2).clamp_min(0).sqrt()
    return [round(float(v), 4) for v in mean], [round(float(v), 4) for v in std]


def image_bundle(
    train_x: torch.Tensor,
    train_y: torch.Tensor | None,
    test_x: torch.Tensor | None = None,
    test_y: torch.Tensor | None = None,
    class_names: Sequence[str] | None = None,
    train_meta: dict[str, Any] | None = None,
    test_meta: dict[str, Any] | None = None,
) -> DataBundle:
    """Pack uint8 images [N, C, H, W] and labels (and per-sample metadata) into a DataBundle with the image ``info`` keys."""
    train = TensorSamples(train_x, train_y, train_meta)
    test = TensorSamples(test_x, test_y, test_meta) if test_x is not None and len(test_x) else None
    labels = train.y[train.y >= 0]
    if class_names is None:
        num_classes = int(labels.max()) + 1 if len(labels) else 0
        class_names = [str(i) for i in range(num_classes)]
    h, w = train_x.shape[-2:]
    mean, std = channel_stats(train_x)
    info = {
        "modality": "image",
        "in_channels": int(train_x.shape[1]),
        "image_size": int(h) if h == w else [int(h), int(w)],
        "num_classes": len(class_names),
        "class_names": list(class_names),
        "mean": mean,
        "std": std,
        "codec": "image-png",
    }
    return DataBundle(train=train, test=test, info=info, raw_features=flatten_pixels)
