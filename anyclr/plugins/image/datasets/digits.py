"""scikit-learn's bundled 8×8 handwritten digits (1,797 images, 10 classes); nothing to download."""

from __future__ import annotations

import torch

from anyclr.core.data import DataBundle
from anyclr.core.splits import split_indices
from anyclr.plugins.image.datasets.bundle import image_bundle, resize_images


def digits(image_size: int = 8, test_fraction: float = 0.25, seed: int = 0) -> DataBundle:
    """sklearn's 8×8 digits as 1-channel uint8 images, stratified train/test split; image_size upsamples (e.g. 16, 32)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    # 17 grey levels (0..16) stretched to 0..255.
    images = torch.from_numpy(data.images).float().mul_(255.0 / 16.0).round_().to(torch.uint8).unsqueeze(1)
    labels = torch.from_numpy(data.target).long()
    if image_size != 8:
        images = resize_images(images, image_size)
    train, test = split_indices(labels, test_fraction, seed)
    names = [str(int(n)) for n in data.target_names]
    ids = torch.arange(len(labels))  # the digit's index in sklearn's set (pairs it with other views of the same digit)
    return image_bundle(images[train], labels[train], images[test], labels[test], names, {"id": ids[train]}, {"id": ids[test]})
