"""Views per second: anyclr's batched SimCLR views vs torchvision's per-sample v2 pipeline (and kornia's).

All three pipelines apply the same operations with the same probabilities (SimCLR's: random resized crop
0.08–1, flip 0.5, colour jitter 0.4/0.4/0.4/0.1 p 0.8, grayscale 0.2, Gaussian blur p 0.5 with a kernel of
~10% of the side, solarize p 0.2) to uint8 RGB images, and produce two float views per image.

Where anyclr's ops are not the same maps: its colour jitter composes brightness, contrast, saturation and
hue (and the grayscale that follows) into one affine colour map per sample, so (1) its hue is a rotation
about the grey axis in YIQ space, not torchvision's and kornia's HSV hue shift (same strength range, but a
different map: per pixel they differ about as much as a 0.1 hue shift changes an image), and (2) it clamps
to [0, 1] once at the end instead of after every step, which is also why it needs no random step order
(unclamped, the steps commute). Brightness, contrast, saturation and grayscale equal torchvision's
wherever no step clips. Resampling is bilinear in all three (torchvision's antialias only acts when
downscaling, and crops are upscaled here).

CPU budget, set deliberately so the comparison is fair: torchvision runs in a DataLoader with ``--workers``
(default 2) worker processes, each with 1 torch thread, while the main process waits; anyclr and kornia run
batched in the main process with ``torch.set_num_threads(--workers)``. So every pipeline gets the same
number of cores. The per-op table shows where anyclr's hand-written ops beat kornia's. On a shared machine,
rates swing with the load: compare ratios from one run, and repeat it.

    python benchmarks/image_views.py --quick      # seconds; smoke test
    python benchmarks/image_views.py              # the full measurement (run it on an idle machine)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from collections.abc import Callable

import torch
from torch.utils.data import DataLoader, Dataset

from anyclr.plugins.image.views.color_jitter import ColorJitter
from anyclr.plugins.image.views.gaussian_blur import RandomGaussianBlur, blur_kernel_size
from anyclr.plugins.image.views.grayscale import RandomGrayscale
from anyclr.plugins.image.views.horizontal_flip import RandomHorizontalFlip
from anyclr.plugins.image.views.resized_crop import RandomResizedCrop
from anyclr.plugins.image.views.simclr import SimCLRViews
from anyclr.plugins.image.views.solarize import RandomSolarize

SOLARIZE_P = 0.2


def make_images(n: int, size: int, seed: int = 0) -> torch.Tensor:
    """Smooth random colour images (uint8 [N, 3, size, size]): upsampled noise, so blur and crops do real work."""
    g = torch.Generator().manual_seed(seed)
    low = torch.rand(n, 3, max(2, size // 8), max(2, size // 8), generator=g)
    x = torch.nn.functional.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
    return (x * 255).round().to(torch.uint8)


def torchvision_pipeline(size: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """torchvision.transforms.v2 with the same operations and probabilities, applied per sample."""
    import torchvision.transforms.v2 as T

    k = blur_kernel_size(size)
    return T.Compose(
        [
            T.ToDtype(torch.float32, scale=True),
            T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
            T.RandomHorizontalFlip(),
            T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
            T.RandomGrayscale(p=0.2),
            T.RandomApply([T.GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5),
            T.RandomSolarize(0.5, p=SOLARIZE_P),
        ]
    )


def kornia_pipeline(size: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """kornia.augmentation with the same operations, batched (per-sample parameters)."""
    import kornia.augmentation as K

    k = blur_kernel_size(size)
    aug = K.AugmentationSequential(
        K.RandomResizedCrop((size, size), scale=(0.08, 1.0)),
        K.RandomHorizontalFlip(),
        K.ColorJitter(0.4, 0.4, 0.4, 0.1, p=0.8),
        K.RandomGrayscale(p=0.2),
        K.RandomGaussianBlur((k, k), (0.1, 2.0), p=0.5),
        K.RandomSolarize(thresholds=0.0, additions=0.0, p=SOLARIZE_P),  # threshold exactly 0.5, like the others
    )

    def views(x: torch.Tensor) -> list[torch.Tensor]:
        x = x.float() / 255
        return [aug(x), aug(x)]

    return views


class TwoViews(Dataset):
    """Per-sample dataset: two independently augmented views of each image."""

    def __init__(self, images: torch.Tensor, transform: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.images = images
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.images[i]
        return self.transform(x), self.transform(x)


def _one_thread(_: int) -> None:
    torch.set_num_threads(1)


def make_loader(images: torch.Tensor, size: int, batch: int, workers: int) -> DataLoader:
    """The per-sample torchvision pipeline in a DataLoader with ``workers`` one-thread worker processes."""
    return DataLoader(
        TwoViews(images, torchvision_pipeline(size)),
        batch_size=batch,
        num_workers=workers,
        worker_init_fn=_one_thread,
        persistent_workers=workers > 0,
        prefetch_factor=2 if workers > 0 else None,
    )


def pass_torchvision(loader: DataLoader) -> float:
    """Views/s of one pass through the DataLoader (its first batch excluded: workers starting up)."""
    it = iter(loader)
    next(it)  # warm-up: workers are up and have started prefetching
    start = time.perf_counter()
    n = sum(2 * len(a) for a, _b in it)
    return n / (time.perf_counter() - start)


def pass_batched(fn: Callable[[torch.Tensor], list[torch.Tensor]], images: torch.Tensor, batch: int) -> float:
    """Views/s of one pass of a batched pipeline over ``images`` (its first batch left out, like the loader's)."""
    start = time.perf_counter()
    n = 0
    for i in range(batch, len(images), batch):
        n += sum(len(v) for v in fn(images[i : i + batch]))
    return n / (time.perf_counter() - start)


def rates(size: int, images: torch.Tensor, batch: int, workers: int, passes: int, kornia: bool) -> dict[str, float]:
    """Best views/s of each pipeline over ``passes`` interleaved passes (so a changing load hits all alike)."""
    loader = make_loader(images, size, batch, workers)
    batched = {"anyclr": SimCLRViews(image_size=size, solarize_prob=SOLARIZE_P)}
    if kornia:
        batched["kornia"] = kornia_pipeline(size)
    threads = max(1, workers)
    torch.set_num_threads(threads)
    for fn in batched.values():  # warm-up: allocator, thread pool, caches
        pass_batched(fn, images[: 3 * batch], batch)
    best = dict.fromkeys(["torchvision", *batched], 0.0)
    for _ in range(passes):
        torch.set_num_threads(1)  # the main process only waits while the (idle between passes) workers augment
        best["torchvision"] = max(best["torchvision"], pass_torchvision(loader))
        torch.set_num_threads(threads)
        for name, fn in batched.items():
            best[name] = max(best[name], pass_batched(fn, images, batch))
    return best


def per_op(size: int, batch: int, reps: int) -> list[tuple[str, float, float]]:
    """Milliseconds per batch for each operation: anyclr's vs kornia's (best of ``reps``)."""
    import kornia.augmentation as K

    x = make_images(batch, size).float() / 255
    k = blur_kernel_size(size)
    pairs = [
        ("resized crop", RandomResizedCrop(size), K.RandomResizedCrop((size, size), scale=(0.08, 1.0))),
        ("flip", RandomHorizontalFlip(), K.RandomHorizontalFlip()),
        ("colour jitter", ColorJitter(p=0.8), K.ColorJitter(0.4, 0.4, 0.4, 0.1, p=0.8)),
        ("grayscale", RandomGrayscale(0.2), K.RandomGrayscale(p=0.2)),
        ("gaussian blur", RandomGaussianBlur(k, p=0.5), K.RandomGaussianBlur((k, k), (0.1, 2.0), p=0.5)),
        ("solarize", RandomSolarize(0.5, SOLARIZE_P), K.RandomSolarize(0.0, 0.0, p=SOLARIZE_P)),
    ]

    def best(fn: Callable[[torch.Tensor], torch.Tensor]) -> float:
        fn(x)
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            fn(x)
            times.append(time.perf_counter() - start)
        return 1000 * min(times)

    # Interleave ours and kornia's per op so a noisy machine affects both alike.
    rows = [(name, best(ours), best(theirs)) for name, ours, theirs in pairs]
    # Why SimCLRViews works in cache-sized chunks on CPU: the same pipeline over the whole batch at once.
    import anyclr.plugins.image.views.simclr as simclr

    pipeline = SimCLRViews(image_size=size, solarize_prob=SOLARIZE_P)
    chunked = best(pipeline.view)
    default, simclr.CHUNK_PIXELS = simclr.CHUNK_PIXELS, 2**62
    try:
        whole = best(pipeline.view)
    finally:
        simclr.CHUNK_PIXELS = default
    rows.append(("1 view: chunked vs whole batch", chunked, whole))
    return rows


def main() -> None:
    """Run the comparison and print views/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few small batches (smoke test, seconds)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 96])
    parser.add_argument("--batch", type=int, default=None, help="images per batch (default 256, quick 128)")
    parser.add_argument("--batches", type=int, default=None, help="batches per pass (default 20, quick 4)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers = torch threads for batched runs")
    parser.add_argument("--passes", type=int, default=None, help="timed passes per pipeline (default 3, quick 2)")
    parser.add_argument("--no-ops", action="store_true", help="skip the per-op table (anyclr vs kornia)")
    args = parser.parse_args()
    batch = args.batch or (128 if args.quick else 256)
    batches = args.batches or (4 if args.quick else 20)
    reps = 3 if args.quick else 5
    passes = args.passes or (2 if args.quick else 3)  # each rate is the best of this many passes
    kornia = importlib.util.find_spec("kornia") is not None
    torch.manual_seed(0)

    load = os.getloadavg()[0]
    print(
        f"torch {torch.__version__}, {os.cpu_count()} CPUs (load {load:.1f}); batch {batch}, best of {passes} "
        f"interleaved passes over {batches} batches, 2 views per image, {args.workers} cores for every pipeline"
        + ("" if kornia else "; kornia is not installed, so it is left out")
    )
    if load > 0.5 * (os.cpu_count() or 1):
        # Threads of one batched op wait for each other, worker processes do not: a crowded machine slows
        # the multi-threaded pipelines (anyclr, kornia) far more than torchvision's DataLoader.
        print("warning: the machine is busy; ratios to torchvision are only meaningful on an idle machine")
    rows = []
    for size in args.sizes:
        images = make_images(batch * (batches + 1), size)
        rows.append((size, rates(size, images, batch, args.workers, passes, kornia)))
        if kornia and not args.no_ops:
            ops = per_op(size, batch, reps)
            print(f"\n{size}×{size} px, ms per batch of {batch} (anyclr vs kornia, {torch.get_num_threads()} threads):")
            for name, a, b in ops:
                print(f"  {name:<31} {a:8.1f} {b:8.1f}   ×{b / a:.1f}")

    print("\nviews/second")
    print(
        f"{'size':>6} {'anyclr':>10} {'kornia':>10} {'torchvision':>12} {'anyclr/torchvision':>19} {'anyclr/kornia':>14}"
    )
    for size, r in rows:
        ours, tv, kor = r["anyclr"], r["torchvision"], r.get("kornia", float("nan"))
        print(f"{size:>6} {ours:>10.0f} {kor:>10.0f} {tv:>12.0f} {ours / tv:>18.1f}× {ours / kor:>13.1f}×")


if __name__ == "__main__":
    main()
