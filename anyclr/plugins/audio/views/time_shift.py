"""Time shift: move each clip later (silence before it) or earlier (its start cut) within the segment."""

from __future__ import annotations

import torch

from anyclr.plugins.audio.views.audio_augmentation import AudioAugmentation
from anyclr.plugins.audio.waves import filled, lengths, mask_from_lengths


class TimeShift(AudioAugmentation):
    """Shift each clip by a random number of samples in ``[-max_seconds, max_seconds]``.

    A later start puts silence (zeros) before the clip and pushes its end out of the segment if need be; an
    earlier start cuts its beginning (never more than half the clip). The NaN padding moves with the clip's
    end. Parameters: the shift in samples ``[B]``.

    Args:
        max_seconds: largest shift either way (default 0.1).
        sample_rate: samples per second (injected from the dataset).
        p: probability that a clip is shifted (default 1).
    """

    name = "audio-time-shift"

    def __init__(self, max_seconds: float = 0.1, sample_rate: int = 16000, p: float = 1.0) -> None:
        super().__init__(p)
        if max_seconds < 0:
            raise ValueError(f"max_seconds must be 0 or more, got {max_seconds}")
        self.max_seconds = float(max_seconds)
        self.max_shift = int(round(max_seconds * sample_rate))

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the shifts in samples ``[B]`` (positive: later)."""
        u = torch.rand(x.shape[0], device=x.device, generator=generator)
        return (u * (2 * self.max_shift + 1)).floor().long() - self.max_shift

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return the shifted clips."""
        b, c, t = x.shape
        n = lengths(x)
        shift = torch.maximum(drawn, -(n // 2)).unsqueeze(1)
        source = torch.arange(t, device=x.device).unsqueeze(0) - shift  # [B, T]
        moved = filled(x).gather(-1, source.clamp(0, t - 1).unsqueeze(1).expand(-1, c, -1))
        moved = torch.where((source >= 0).unsqueeze(1), moved, torch.zeros((), dtype=x.dtype, device=x.device))
        inside = mask_from_lengths((n + shift.squeeze(1)).clamp(1, t), t)
        return moved.masked_fill(~inside.unsqueeze(1), float("nan"))

    def extra_repr(self) -> str:
        return f"max_seconds={self.max_seconds}, p={self.p}"
