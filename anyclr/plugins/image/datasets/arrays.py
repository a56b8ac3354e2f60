"""Images stored as NumPy arrays: ``.npy`` (images only) or ``.npz`` (images and labels)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices
from anyclr.plugins.image.datasets.bundle import image_bundle, resize_images

IMAGE_KEYS = ("x", "X", "images")
LABEL_KEYS = ("y", "Y", "labels")
_CHANNELS = (1, 3)


def read_arrays(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (images, labels or None) from a ``.npy`` file (images only) or a ``.npz`` file (keys x/y, X/y, images/labels)."""
    if not path.is_file():
        raise AnyclrError(f"Array file {path} does not exist.", "Set data.path to a .npy or .npz file.")
    if path.suffix not in (".npy", ".npz"):
        raise AnyclrError(f"{path} is not a .npy or .npz file.", "Save images with numpy.save or numpy.savez.")
    try:
        loaded = np.load(path, allow_pickle=False)
        if path.suffix == ".npy":
            return loaded, None
        with loaded:
            keys = list(loaded.keys())
            x_key = next((k for k in IMAGE_KEYS if k in keys), None)
            if x_key is None:
                raise AnyclrError(
                    f"{path} has no image array: expected one of the keys {', '.join(IMAGE_KEYS)}; "
                    f"it holds: {', '.join(keys) or '(nothing)'}.",
                    "Save it as numpy.savez(path, x=images, y=labels).",
                )
            y_key = next((k for k in LABEL_KEYS if k in keys), None)
            return loaded[x_key], (loaded[y_key] if y_key else None)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise AnyclrError(f"Could not read {path}: {exc}") from None


def to_nchw(x: np.ndarray, layout: str, source: Path) -> np.ndarray:
    """Return images as [N, C, H, W]; ``layout`` is "nchw", "nhwc" or "auto" (channels = the axis of size 1 or 3)."""
    if x.ndim == 3:
        return x[:, None]
    if x.ndim != 4:
        raise AnyclrError(
            f"{source}: images must be shaped [N, H, W], [N, H, W, C] or [N, C, H, W]; got {list(x.shape)}.",
        )
    if layout == "nchw":
        return x
    if layout == "nhwc":
        return x.transpose(0, 3, 1, 2)
    if layout != "auto":
        raise AnyclrError(f"data.layout must be auto, nchw or nhwc; got {layout!r}.")
    first, last = x.shape[1] in _CHANNELS, x.shape[3] in _CHANNELS
    if first and not last:
        return x
    if last and not first:
        return x.transpose(0, 3, 1, 2)
    raise AnyclrError(
        f"{source}: cannot tell the channel axis of images shaped {list(x.shape)}.",
        'Set data.layout = "nchw" or "nhwc".',
    )


def to_uint8(x: np.ndarray, source: Path) -> torch.Tensor:
    """Return pixels as a uint8 tensor: floats in [0, 1] are scaled by 255, values in [0, 255] are kept."""
    if x.dtype == np.uint8:
        return torch.from_numpy(np.ascontiguousarray(x))
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise AnyclrError(f"{source}: images must hold numbers, not {x.dtype}.")
    x = x.astype(np.float32)
    if not np.isfinite(x).all():
        raise AnyclrError(f"{source}: images contain NaN or infinite values.")
    low, high = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    if low < 0 or high > 255:
        raise AnyclrError(f"{source}: pixel values must lie in [0, 1] or [0, 255]; found [{low:g}, {high:g}].")
    if high <= 1.0 and np.issubdtype(x.dtype, np.floating):
        x = x * 255.0
    return torch.from_numpy(np.ascontiguousarray(np.rint(x).astype(np.uint8)))


def to_labels(
    y: np.ndarray | None, n: int, source: Path, names: list[str] | None
) -> tuple[torch.Tensor, list[str] | None]:
    """Return labels as a long tensor (-1 when absent) and class names (string labels are mapped to indices)."""
    if y is None:
        return torch.full((n,), -1, dtype=torch.long), names
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise AnyclrError(f"{source}: labels must be one per image ({n}); got shape {list(y.shape)}.")
    if y.dtype.kind in "USO":
        values = [str(v) for v in y]
        if names is None:
            names = sorted(set(values))
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise AnyclrError(f"{source}: labels not in the training data: {', '.join(unknown[:5])}.")
        return torch.tensor([names.index(v) for v in values], dtype=torch.long), names
    if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)):
        raise AnyclrError(f"{source}: labels must be integers or strings, not {y.dtype}.")
    labels = torch.from_numpy(y.astype(np.int64))
    if len(labels) and int(labels.min()) < -1:
        raise AnyclrError(f"{source}: labels must be >= 0 (or -1 for unknown); found {int(labels.min())}.")
    return labels, names


def load_split(path: Path, layout: str, names: list[str] | None) -> tuple[torch.Tensor, torch.Tensor, list[str] | None]:
    """Read one array file into uint8 images [N, C, H, W], labels and class names."""
    x, y = read_arrays(path)
    images = to_uint8(to_nchw(x, layout, path), path)
    if len(images) == 0:
        raise AnyclrError(f"{path} holds no images.")
    labels, names = to_labels(y, len(images), path, names)
    return images, labels, names


def image_arrays(
    path: str,
    test_path: str = "",
    test_fraction: float = 0.0,
    image_size: int = 0,
    layout: str = "auto",
    seed: int = 0,
) -> DataBundle:
    """Images in .npy/.npz arrays (npz keys x/y, X/y or images/labels; NHWC or NCHW auto-detected); image_size resizes (0 keeps)."""
    if test_path and test_fraction:
        raise AnyclrError("Set data.test_path or data.test_fraction, not both.")
    x, y, names = load_split(Path(path).expanduser(), layout, None)
    test_x = test_y = None
    if test_path:
        test_file = Path(test_path).expanduser()
        test_x, test_y, names = load_split(test_file, layout, names)
        if test_x.shape[1] != x.shape[1] or (not image_size and test_x.shape[2:] != x.shape[2:]):
            raise AnyclrError(
                f"Test images in {test_file} are shaped {list(test_x.shape[1:])}, training images {list(x.shape[1:])}."
            )
    elif test_fraction:
        train_idx, test_idx = split_indices(y, test_fraction, seed)
        x, y, test_x, test_y = x[train_idx], y[train_idx], x[test_idx], y[test_idx]
    if image_size:
        x = resize_images(x, image_size)
        test_x = resize_images(test_x, image_size) if test_x is not None else None
    return image_bundle(x, y, test_x, test_y, names)
