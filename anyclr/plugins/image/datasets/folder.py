"""Images in class folders (``root/<class>/<image>.png``, the ImageFolder layout), decoded with Pillow.

Small folders are decoded once into memory (the fast path: batches are tensor slices); larger ones are read
lazily, each image decoded by the DataLoader's workers when its batch is drawn (``data.in_memory``).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from anyclr.core.data import BadSample, DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.files import scan_class_folder
from anyclr.core.splits import split_indices
from anyclr.plugins.image.datasets.bundle import flatten_pixels, image_bundle

log = logging.getLogger("anyclr.image")

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
_GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}
IN_MEMORY_MAX_IMAGES = 20_000  # data.in_memory = "auto" decodes up front only up to this many images …
IN_MEMORY_MAX_BYTES = 256 * 2**20  # … taking at most this much memory once decoded
PROBE_FILES = 64  # headers read to choose grey or colour for a lazy folder
STATS_FILES = 256  # images decoded to estimate a lazy folder's mean and std


def scan_folder(root: Path, class_names: list[str] | None = None) -> tuple[list[Path], list[int], list[str]]:
    """Return image files, their labels and the class names (sorted sub-folder names; see core.files)."""
    table = scan_class_folder(root, EXTENSIONS, "image", class_names)
    return table.paths, table.labels, table.class_names


def decode_image(path: Path | str, image_size: int, mode: str | None = None) -> np.ndarray:
    """Decode one image to uint8 [H, W, C] (C = 1 or 3), centre-cropped to a square and resized to ``image_size`` (0 keeps the size).

    ``mode`` (``L`` or ``RGB``) forces the channels; by default grey files stay grey and others become RGB.
    """
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.load()
        grey = img.mode in _GREY_MODES
        img = img.convert(mode or ("L" if grey else "RGB"))
        if image_size:
            img = ImageOps.fit(img, (image_size, image_size), method=Image.Resampling.BILINEAR)
        arr = np.array(img, dtype=np.uint8)  # a writable copy
    return arr[:, :, None] if arr.ndim == 2 else arr


def load_images(
    files: list[Path], labels: list[int], image_size: int, max_bad_fraction: float, root: Path
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Decode ``files`` (in threads: Pillow releases the GIL) into uint8 [N, C, H, W], their labels, and how many
    files were skipped as undecodable (at most ``max_bad_fraction`` of them, else an error)."""

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
            if max_bad_fraction <= 0:
                raise AnyclrError(
                    f"Could not decode image {path}: {arr}",
                    "Fix or remove the file, or set data.skip_bad=true (or data.max_bad_fraction) to skip unreadable images.",
                )
            bad.append(path)
            continue
        arrays.append(arr)
        kept.append(label)
    if len(bad) > max_bad_fraction * len(files):
        raise AnyclrError(
            f"{len(bad)} of {len(files)} images in {root} could not be decoded, more than data.max_bad_fraction = {max_bad_fraction:g} allows "
            f"(first: {bad[0]}).",
            "Fix or remove the bad files, or raise data.max_bad_fraction.",
        )
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
    return images, torch.tensor(kept, dtype=torch.long), len(bad)


class ImageFiles(torch.utils.data.Dataset):
    """Image files decoded one by one on demand (in DataLoader workers) to uint8 [C, S, S]; labels known up front."""

    def __init__(self, files: list[Path], labels: list[int], image_size: int, mode: str) -> None:
        self.files = [str(f) for f in files]  # plain strings pickle cheaply to worker processes
        self.labels = torch.tensor(labels, dtype=torch.long)
        self.image_size = int(image_size)
        self.mode = mode

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, idx: int) -> tuple[torch.Tensor, int] | BadSample:
        try:
            arr = decode_image(self.files[idx], self.image_size, self.mode)
        except Exception as exc:  # Pillow raises many types for bad files; report them all the same way
            return BadSample(self.files[idx], f"{type(exc).__name__}: {exc}")
        return torch.from_numpy(arr).permute(2, 0, 1).contiguous(), int(self.labels[idx])

    def sample_metadata(self) -> dict[str, torch.Tensor]:
        """Return the labels (from the folder names: nothing is decoded)."""
        return {"label": self.labels}

    def subset(self, idx: torch.Tensor) -> ImageFiles:
        """Return the files at ``idx``."""
        out = ImageFiles([], [], self.image_size, self.mode)
        out.files, out.labels = [self.files[i] for i in idx.tolist()], self.labels[idx]
        return out


def probe_mode(files: list[Path], seed: int = 0) -> str:
    """Return ``RGB`` if any of a seeded sample of files is in colour, else ``L`` (headers only, no decoding)."""
    from PIL import Image

    g = torch.Generator().manual_seed(seed)
    for i in torch.randperm(len(files), generator=g)[:PROBE_FILES].tolist():
        try:
            with Image.open(files[i]) as img:
                if img.mode not in _GREY_MODES:
                    return "RGB"
        except Exception:  # a bad file is reported when its sample is drawn
            continue
    return "L"


def probe_size(files: list[Path]) -> int:
    """Return the side of the first readable file (its header only) for ``data.image_size = 0``."""
    from PIL import Image

    for f in files[:PROBE_FILES]:
        try:
            with Image.open(f) as img:
                return int(min(img.size))
        except Exception:
            continue
    raise AnyclrError(f"None of the first {PROBE_FILES} images in {files[0].parent} could be opened.")


def lazy_bundle(
    train: ImageFiles, test: ImageFiles | None, names: list[str], seed: int, max_bad_fraction: float
) -> DataBundle:
    """Build the bundle of a lazily read folder; mean and std are estimated from a seeded sample of images."""
    g = torch.Generator().manual_seed(seed)
    picked = torch.randperm(len(train), generator=g)[:STATS_FILES].tolist()
    good = [s[0] for s in (train[i] for i in picked) if not isinstance(s, BadSample)]
    if not good:
        raise AnyclrError(f"None of {len(picked)} sampled images in {Path(train.files[0]).parent.parent} could be decoded.")
    images = torch.stack(good)
    stats = image_bundle(images, None, class_names=names or None).info
    info = {**stats, "num_classes": len(names), "class_names": list(names), "in_memory": False, "stats_from": len(images)}
    return DataBundle(train=train, test=test, info=info, raw_features=flatten_pixels, max_bad_fraction=max_bad_fraction)


def image_folder(
    path: str,
    image_size: int = 32,
    test_path: str = "",
    test_fraction: float = 0.0,
    skip_bad: bool = False,
    max_bad_fraction: float = 0.0,
    in_memory: str | bool = "auto",
    seed: int = 0,
) -> DataBundle:
    """Images in class folders (root/<class>/*.png|jpg|jpeg), resized to image_size; test_path or test_fraction for a test split.

    ``in_memory``: ``auto`` decodes small folders up front (at most 20,000 images and 256 MiB) and reads
    larger ones lazily in DataLoader workers (``trainer.num_workers``); ``true``/``false`` force either.
    ``max_bad_fraction``: share of undecodable images skipped with a warning (``skip_bad = true``: all).
    """
    if image_size < 0:
        raise AnyclrError(f"data.image_size must be positive (or 0 to keep the files' size), got {image_size}.")
    if test_path and test_fraction:
        raise AnyclrError("Set data.test_path or data.test_fraction, not both.")
    if str(in_memory).lower() not in ("auto", "true", "false"):
        raise AnyclrError(f"data.in_memory must be auto, true or false, got {in_memory!r}.")
    root = Path(path).expanduser()
    files, labels, names = scan_folder(root)
    allowed_bad = 1.0 if skip_bad else float(max_bad_fraction)
    if not use_memory(in_memory, files, image_size):
        return _lazy_folder(files, labels, names, root, image_size, test_path, test_fraction, seed, allowed_bad)
    x, y, skipped = load_images(files, labels, image_size, allowed_bad, root)
    test_x = test_y = None
    if test_path:
        test_root = Path(test_path).expanduser()
        test_files, test_labels, _ = scan_folder(test_root, names)
        test_x, test_y, test_skipped = load_images(test_files, test_labels, image_size, allowed_bad, test_root)
        skipped += test_skipped
        if test_x.shape[1:] != x.shape[1:]:
            if test_x.shape[2:] != x.shape[2:]:
                raise AnyclrError(
                    f"Test images in {test_root} are {tuple(test_x.shape[2:])}, training images {tuple(x.shape[2:])}."
                )
            # One split has colour images, the other only grey ones: give both three channels.
            x, test_x = (t if t.shape[1] == 3 else t.expand(-1, 3, -1, -1).contiguous() for t in (x, test_x))
    elif test_fraction:
        train_idx, test_idx = split_indices(y, test_fraction, seed, what="data.test_fraction")
        x, y, test_x, test_y = x[train_idx], y[train_idx], x[test_idx], y[test_idx]
    bundle = image_bundle(x, y, test_x, test_y, names or None)
    bundle.info.update(in_memory=True, skipped_files=skipped)
    return bundle


def use_memory(setting: str | bool, files: list[Path], image_size: int) -> bool:
    """Decide whether to decode a folder up front (``auto``: small folders) or lazily."""
    setting = str(setting).lower()
    if setting in ("true", "false"):
        return setting == "true"
    side = image_size or 256  # unknown sizes: assume large images
    return len(files) <= IN_MEMORY_MAX_IMAGES and len(files) * 3 * side * side <= IN_MEMORY_MAX_BYTES


def _lazy_folder(
    files: list[Path], labels: list[int], names: list[str], root: Path, image_size: int,
    test_path: str, test_fraction: float, seed: int, max_bad_fraction: float,
) -> DataBundle:
    size = image_size or probe_size(files)
    mode = probe_mode(files, seed)
    train = ImageFiles(files, labels, size, mode)
    test = None
    if test_path:
        test_files, test_labels, _ = scan_folder(Path(test_path).expanduser(), names)
        test = ImageFiles(test_files, test_labels, size, mode)
    elif test_fraction:
        train_idx, test_idx = split_indices(train.labels, test_fraction, seed, what="data.test_fraction")
        train, test = train.subset(train_idx), train.subset(test_idx)
    return lazy_bundle(train, test, names, seed, max_bad_fraction)
