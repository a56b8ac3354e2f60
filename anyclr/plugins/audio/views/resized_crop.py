"""BYOL-A's random resized crop of a log-mel spectrogram: a random box of a padded canvas, stretched back."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from anyclr.core.views import Augmentation
from anyclr.plugins.audio.views.audio_augmentation import uniform
from anyclr.plugins.audio.waves import as_spectrograms, filled, lengths


def as_pair(values: tuple[float, float] | list[float], what: str) -> tuple[float, float]:
    """Return a checked ``(low, high)`` range."""
    low, high = float(values[0]), float(values[1])
    if not 0 < low <= high:
        raise ValueError(f"{what} must satisfy 0 < low <= high, got {list(values)}")
    return low, high


class RandomResizedCrop(Augmentation):
    """Random resized crop of log-mel ``[B, C, F, N]`` (Niizumi et al. 2021, BYOL for Audio, section 3.3).

    The spectrogram sits in the middle of a zero canvas ``virtual_crop_scale`` times its size (zero is the
    normalised mean); a box ``freq_scale`` x ``time_scale`` of the spectrogram's size is placed at random in
    the canvas and resampled back to ``[F, N]`` (bilinear, corner-aligned; BYOL-A uses bicubic). Frames
    read from past a clip's end stay padding (NaN). Parameters: one box per sample ``[B, 4]`` (top, left,
    height, width in canvas cells).

    Args:
        virtual_crop_scale: canvas size relative to the spectrogram, (frequency, time) (default ``[1.0, 1.5]``).
        freq_scale: box height relative to the mel bins (default ``[0.6, 1.5]``).
        time_scale: box width relative to the frames (default ``[0.6, 1.5]``).
    """

    def __init__(
        self,
        virtual_crop_scale: tuple[float, float] | list[float] = (1.0, 1.5),
        freq_scale: tuple[float, float] | list[float] = (0.6, 1.5),
        time_scale: tuple[float, float] | list[float] = (0.6, 1.5),
    ) -> None:
        super().__init__()
        self.virtual_crop_scale = (float(virtual_crop_scale[0]), float(virtual_crop_scale[1]))
        if min(self.virtual_crop_scale) < 1:
            raise ValueError(f"virtual_crop_scale must be at least 1 on both axes, got {list(virtual_crop_scale)}")
        self.freq_scale = as_pair(freq_scale, "freq_scale")
        self.time_scale = as_pair(time_scale, "time_scale")

    def canvas(self, bins: int, frames: int) -> tuple[int, int]:
        """Return the canvas size (mel bins, frames)."""
        return int(bins * self.virtual_crop_scale[0]), int(frames * self.virtual_crop_scale[1])

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return one box per sample ``[B, 4]``: top, left, height, width in canvas cells."""
        x = as_spectrograms(inputs, "audio-resized-crop")
        b, _, bins, frames = x.shape
        ch, cw = self.canvas(bins, frames)
        h = (uniform((b,), *self.freq_scale, x, generator) * bins).floor().clamp(1, ch)
        w = (uniform((b,), *self.time_scale, x, generator) * frames).floor().clamp(1, cw)
        u = torch.rand(b, 2, device=x.device, generator=generator)
        top = (u[:, 0] * (ch - h + 1)).floor().clamp_max(ch - h)
        left = (u[:, 1] * (cw - w + 1)).floor().clamp_max(cw - w)
        return torch.stack([top, left, h, w], dim=1)

    def apply(self, inputs: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Resample each box of the canvas to the spectrogram's size."""
        x = as_spectrograms(inputs, "audio-resized-crop")
        b, c, bins, frames = x.shape
        ch, cw = self.canvas(bins, frames)
        top, left, h, w = params.to(torch.float32).unbind(1)
        # Output cell (u, v) reads canvas cell (top + u (h-1)/(F-1), left + v (w-1)/(N-1)); the input starts at
        # the canvas offset ((ch - F) // 2, (cw - N) // 2).
        u = torch.arange(bins, device=x.device, dtype=torch.float32) / max(bins - 1, 1)
        v = torch.arange(frames, device=x.device, dtype=torch.float32) / max(frames - 1, 1)
        rows = top.unsqueeze(1) + u * (h - 1).unsqueeze(1) - (ch - bins) // 2  # [B, F] input bins
        cols = left.unsqueeze(1) + v * (w - 1).unsqueeze(1) - (cw - frames) // 2  # [B, N] input frames
        grid = torch.empty(b, bins, frames, 2, device=x.device, dtype=torch.float32)
        grid[..., 0] = (2 * cols / max(frames - 1, 1) - 1).unsqueeze(1)
        grid[..., 1] = (2 * rows / max(bins - 1, 1) - 1).unsqueeze(2)
        out = F.grid_sample(filled(x).float(), grid, mode="bilinear", padding_mode="zeros", align_corners=True).to(x.dtype)
        inside = cols < lengths(x).unsqueeze(1).to(cols.dtype) - 0.5  # read before the clip's end (the canvas before it is silence)
        inside = inside | ~inside.any(dim=1, keepdim=True)  # a box wholly past the end: keep it rather than an empty view
        return out.masked_fill(~inside.view(b, 1, 1, frames), float("nan"))

    def extra_repr(self) -> str:
        return f"virtual_crop_scale={self.virtual_crop_scale}, freq_scale={self.freq_scale}, time_scale={self.time_scale}"
