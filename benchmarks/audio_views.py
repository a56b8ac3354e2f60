"""Clips per second: anyclr's batched BYOL-A views vs the same augmentations applied clip by clip with torchaudio.

Both make two views per clip of 1-s, 16 kHz clips with BYOL-A's pipeline: a random segment (here the whole
second), log-mel (torchaudio's MelSpectrogram, 64 mels, 25 ms windows, 10 ms hop, normalised), mixup with a
clip from a memory of past clips (``log((1-λ) e^x + λ e^m)``, λ up to 0.4), and the random resized crop of a
zero canvas 1.5x as long (bilinear). The per-clip side is BYOL-A's own structure (a Dataset transform: one
clip at a time, torchaudio on each, ``F.interpolate`` of each crop); anyclr's draws every parameter for the
batch and applies each step once (``audio-byola``). Both run in one process with the same torch threads.
Target: at least 3x the per-clip rate on CPU at batch 256.

    python benchmarks/audio_views.py --quick       # seconds: a smoke run
    python benchmarks/audio_views.py               # batch 256, 1 thread and 2 threads
"""

from __future__ import annotations

import argparse
import random
import time

import torch
import torch.nn.functional as F

TARGET = 3.0
RATE = 16000


def clips(n: int, seconds: float = 1.0, seed: int = 0) -> torch.Tensor:
    """Noisy harmonic clips ``[N, 1, T]`` (a quarter of them shorter, padded with NaN)."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(int(seconds * RATE)) / RATE
    f0 = 100 + 300 * torch.rand(n, 1, 1, generator=g)
    x = sum(torch.sin(2 * torch.pi * k * f0 * t) / k for k in range(1, 6)) * 0.2 + 0.01 * torch.randn(n, 1, t.numel(), generator=g)
    x[: n // 4, :, int(0.6 * t.numel()) :] = float("nan")
    return x


class PerClip:
    """BYOL-A's augmentations one clip at a time: torchaudio log-mel, mixup with a memory, random resized crop."""

    def __init__(self, mean: float, std: float, memory: int = 2048) -> None:
        import torchaudio

        self.mel = torchaudio.transforms.MelSpectrogram(RATE, n_fft=400, win_length=400, hop_length=160, f_min=60, f_max=7800, n_mels=64)
        self.mean, self.std = mean, std
        self.memory: list[torch.Tensor] = []
        self.size = memory

    def __call__(self, wave: torch.Tensor) -> torch.Tensor:
        """Return one view of one clip ``[1, T]``."""
        lms = ((self.mel(torch.nan_to_num(wave)) + 1e-6).log() - self.mean) / self.std  # [1, 64, N]
        if self.memory:  # BYOL-A's MixupBYOLA: a past clip, log-mixup-exp
            lam = random.uniform(0.0, 0.4)
            other = random.choice(self.memory)
            mixed = ((1 - lam) * lms.exp() + lam * other.exp()).log()
        else:
            mixed = lms
        self.memory = ([lms] + self.memory)[: self.size]
        return self.resized_crop(mixed)

    @staticmethod
    def resized_crop(lms: torch.Tensor) -> torch.Tensor:
        """BYOL-A's RandomResizeCrop: a random box of a zero canvas 1.5x as long, resized back."""
        _, f, n = lms.shape
        ch, cw = f, int(n * 1.5)
        canvas = lms.new_zeros(1, ch, cw)
        top, left = (ch - f) // 2, (cw - n) // 2
        canvas[:, top : top + f, left : left + n] = lms
        h = min(max(int(random.uniform(0.6, 1.5) * f), 1), ch)
        w = min(max(int(random.uniform(0.6, 1.5) * n), 1), cw)
        i = random.randint(0, ch - h)
        j = random.randint(0, cw - w)
        crop = canvas[:, i : i + h, j : j + w]
        return F.interpolate(crop.unsqueeze(0), size=(f, n), mode="bilinear", align_corners=True).squeeze(0)


def rate(fn, x: torch.Tensor, repeats: int) -> float:
    """Return clips per second of ``fn(x)`` (best of ``repeats`` after a warm-up)."""
    fn(x)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        best = min(best, time.perf_counter() - start)
    return x.shape[0] / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 16, one repeat: a smoke run")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    batch, repeats = (16, 1) if args.quick else (args.batch, args.repeats)
    from anyclr.plugins.audio.views.byola import BYOLAViews

    x = clips(batch)
    mean, std = -3.0, 3.5
    print(f"BYOL-A views of {batch} 1-s clips at 16 kHz (two views each)")
    print(f"{'threads':>8}{'per clip (clips/s)':>22}{'batched (clips/s)':>22}{'ratio':>8}")
    ok = True
    for threads in args.threads:
        torch.set_num_threads(threads)
        random.seed(0)
        torch.manual_seed(0)
        per_clip = PerClip(mean, std, memory=2048)
        batched = BYOLAViews(front_end={"mean": mean, "std": std}, memory=2048)

        def one_by_one(batch_x: torch.Tensor, view=per_clip) -> list[torch.Tensor]:  # noqa: ANN001
            return [torch.stack([view(w) for w in batch_x]) for _ in range(2)]

        with torch.no_grad():
            slow = rate(one_by_one, x, repeats)
            fast = rate(batched, x, repeats)
        ratio = fast / slow
        ok = ok and ratio >= TARGET
        print(f"{threads:>8}{slow:>22.1f}{fast:>22.1f}{ratio:>7.1f}x")
    print(f"  {'PASS' if ok else 'FAIL'}  batched >= {TARGET:g}x per-clip clips/s at every thread count")


if __name__ == "__main__":
    main()
