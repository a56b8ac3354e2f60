"""Images in class folders (``root/<class>/<image>.png``, the ImageFolder layout), decoded with Pillow."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices
from anyclr.plugins.image.datasets.bundle import image_bundle

log = logging.getLogger("anyclr.image")

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
_GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}


def scan_folder(root: Path, class_names: list[str] | None = None) -> tuple[list[Path], list[int], list[str]]:
    """Return image files, their labels and the class names (sorted sub-folder names).

    A folder with images but no sub-folders is read as unlabelled (label -1). With ``class_names`` given
    (a test folder), labels follow that order and an unknown class is an error.
    """
    if not root.exists():
        raise AnyclrError(
            f"Image folder {root} does not exist.",
            "Set data.path to a folder of class sub-folders (root/<class>/*.png).",
        )
    if not root.is_dir():
        raise AnyclrError(
            f"Image folder {root} is not a directory.", "Point data.path at the folder that holds the class folders."
        )
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    files: list[Path] = []
    labels: list[int] = []
    if classes:
        if class_names is not None:
            unknown = [c for c in classes if c not in class_names]
            if unknown:
                raise AnyclrError(
                    f"Image folder {root} has classes the training folder lacks: {', '.join(unknown)}.",
                    "Train and test folders need the same class sub-folders.",
                )
        names = class_names if class_names is not None else classes
        for name in classes:
            found = sorted(p for p in (root / name).rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())
            files += found
            labels += [names.index(name)] * len(found)
    else:
        names = class_names or []
        files = sorted(p for p in root.iterdir() if p.suffix.lower() in EXTENSIONS and p.is_file())
        labels = [-1] * len(files)
    if not files:
        raise AnyclrError(
            f"Image folder {root} has no images ({', '.join(EXTENSIONS)}).",
            "Expected root/<class>/<image>.png (or images directly in root for unlabelled data).",
        )
    return files, labels, names


def decode_image(path: Path, image_size: int) -> np.ndarray:
    """Decode one image to uint8 [H, W, C] (C = 1 or 3), centre-cropped to a square and resized to ``image_size`` (0 keeps the size)."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.load()
        grey = img.mode in _GREY_MODES
        img = img.convert("L" if grey else "RGB")
        if image_size:
            img = ImageOps.fit(img, (image_size, image_size), method=Image.Resampling.BILINEAR)
        arr = np.asarray(img, dtype=np.uint8)
    return arr[:, :, None] if arr.ndim == 2 else arr


def load_images(
    files: list[Path], labels: list[int], image_size: int, skip_bad: bool, root: Path
) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode ``files`` (in threads: Pillow releases the GIL) into uint8 [N, C, H, W] and their labels."""

    def decode(path: Path) -> np.ndarray | Exception:
        try:
            return decode_image(path, image_size)
        except Exception as exc:  # Pillow raises many types for bad files; report them all the same way
            return exc

    workers = min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        decoded = list(pool.map(decode, files))
    arrays, kept, bad = [], [], []
    for path, label, arr in zip(files, labels, decoded, strict=True):
        if isinstance(arr, Exception):
            if not skip_bad:
                raise AnyclrError(
                    f"Could not decode image {path}: {arr}",
                    "Fix or remove the file, or set data.skip_bad=true to skip unreadable images.",
                )
            bad.append(path)
            continue
        arrays.append(arr)
        kept.append(label)
    if bad:
        log.warning("Skipped %d unreadable image(s) in %s (first: %s).", len(bad), root, bad[0])
    if not arrays:
        raise AnyclrError(f"No image in {root} could be decoded ({len(bad)} unreadable).")
    sizes = {a.shape[:2] for a in arrays}
    if len(sizes) > 1:
        raise AnyclrError(
            f"Images in {root} have different sizes ({len(sizes)} distinct, e.g. {sorted(sizes)[:2]}).",
            "Set data.image_size to resize them all.",
        )
    if any(a.shape[2] == 3 for a in arrays):  # a mixed folder becomes RGB
        arrays = [np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a for a in arrays]
    images = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
    return images, torch.tensor(kept, dtype=torch.long)


def image_folder(
    path: str,
    image_size: int = 32,
    test_path: str = "",
    test_fraction: float = 0.0,
    skip_bad: bool = False,
    seed: int = 0,
) -> DataBundle:
    """Images in class folders (root/<class>/*.png|jpg|jpeg), resized to image_size; test_path or test_fraction for a test split."""
    if image_size < 0:
        raise AnyclrError(f"data.image_size must be positive (or 0 to keep the files' size), got {image_size}.")
    if test_path and test_fraction:
        raise AnyclrError("Set data.test_path or data.test_fraction, not both.")
    root = Path(path).expanduser()
    files, labels, names = scan_folder(root)
    x, y = load_images(files, labels, image_size, skip_bad, root)
    test_x = test_y = None
    if test_path:
        test_root = Path(test_path).expanduser()
        test_files, test_labels, _ = scan_folder(test_root, names)
        test_x, test_y = load_images(test_files, test_labels, image_size, skip_bad, test_root)
        if test_x.shape[1:] != x.shape[1:]:
            if test_x.shape[2:] != x.shape[2:]:
                raise AnyclrError(
                    f"Test images in {test_root} are {tuple(test_x.shape[2:])}, training images {tuple(x.shape[2:])}."
                )
            # One split has colour images, the other only grey ones: give both three channels.
            x, test_x = (t if t.shape[1] == 3 else t.expand(-1, 3, -1, -1).contiguous() for t in (x, test_x))
    elif test_fraction:
        train_idx, test_idx = split_indices(y, test_fraction, seed)
        x, y, test_x, test_y = x[train_idx], y[train_idx], x[test_idx], y[test_idx]
    return image_bundle(x, y, test_x, test_y, names or None)
