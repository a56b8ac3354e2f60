"""Fashion-MNIST (Xiao et al. 2017) from local IDX files, by default those of Debian's dataset-fashion-mnist."""

from __future__ import annotations

from pathlib import Path

import torch

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.plugins.image.datasets.bundle import image_bundle, resize_images
from anyclr.plugins.image.datasets.idx import read_idx

DEFAULT_PATH = "/usr/share/datasets/fashion-mnist/"
CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip
_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _find(root: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        if (root / name).is_file():
            return root / name
    return None


def _take(x: torch.Tensor, y: torch.Tensor, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    if n < 0:
        raise AnyclrError(f"Fashion-MNIST subset sizes must be 0 (all) or positive, got {n}.")
    if n == 0 or n >= len(x):
        return x, y
    # A seeded random subset keeps the classes balanced in expectation (the files are already shuffled).
    idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n].sort().values
    return x[idx], y[idx]


def fashion_mnist(
    path: str = DEFAULT_PATH,
    subset: int = 0,
    test_subset: int = 0,
    image_size: int = 28,
    seed: int = 0,
) -> DataBundle:
    """Fashion-MNIST 28×28 grey images from IDX files (gz or raw); subset/test_subset: seeded random subsets (0 = all)."""
    root = Path(path).expanduser()
    found = {key: _find(root, stem) for key, stem in _FILES.items()}
    missing = [_FILES[k] + ".gz" for k, p in found.items() if p is None]
    if missing:
        raise AnyclrError(
            f"Fashion-MNIST files not found in {root}: {', '.join(missing)}.",
            "Install them with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), "
            "or set data.path to a folder holding the four IDX files.",
        )
    arrays = {key: torch.from_numpy(read_idx(p).copy()) for key, p in found.items()}
    for split in ("train", "test"):
        x, y = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if x.dim() != 3 or y.dim() != 1 or len(x) != len(y):
            raise AnyclrError(
                f"Fashion-MNIST {split} files in {root} do not match: images {tuple(x.shape)}, labels {tuple(y.shape)}."
            )
    train_x, train_y = _take(arrays["train_images"].unsqueeze(1), arrays["train_labels"].long(), subset, seed)
    test_x, test_y = _take(arrays["test_images"].unsqueeze(1), arrays["test_labels"].long(), test_subset, seed + 1)
    if image_size != 28:
        train_x, test_x = resize_images(train_x, image_size), resize_images(test_x, image_size)
    return image_bundle(train_x, train_y, test_x, test_y, CLASS_NAMES)
