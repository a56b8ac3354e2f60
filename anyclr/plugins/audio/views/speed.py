"""Speed change by resampling: faster and higher, or slower and lower, like a tape played at another speed."""

from __future__ import annotations

import math

import torch

from anyclr.plugins.audio.views.audio_augmentation import AudioAugmentation, uniform
from anyclr.plugins.audio.waves import filled, lengths, mask_from_lengths


class SpeedChange(AudioAugmentation):
    """Play each clip ``r`` times faster (pitch and tempo together), ``log r`` uniform in ``[log min_factor, log max_factor]``.

    Output sample ``t`` reads the clip at ``t * r`` (linear interpolation); a slower clip is cut at the
    segment's end, a faster one ends earlier (NaN after it). Parameters: the factor ``[B]``.

    Args:
        min_factor: slowest speed (default 0.85).
        max_factor: fastest speed (default 1.15).
        p: probability that a clip is changed (default 1).
    """

    name = "audio-speed"

    def __init__(self, min_factor: float = 0.85, max_factor: float = 1.15, p: float = 1.0) -> None:
        super().__init__(p)
        if not 0 < min_factor <= max_factor:
            raise ValueError(f"speed factors must satisfy 0 < min_factor <= max_factor, got {min_factor}, {max_factor}")
        self.min_factor, self.max_factor = float(min_factor), float(max_factor)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the speed factors ``[B]``."""
        return uniform((x.shape[0],), math.log(self.min_factor), math.log(self.max_factor), x, generator).exp()

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return the resampled clips."""
        b, c, t = x.shape
        n = lengths(x)
        rate = drawn.to(torch.float32).unsqueeze(1)
        pos = torch.arange(t, device=x.device, dtype=torch.float32).unsqueeze(0) * rate  # [B, T]
        last = (n - 1).clamp_min(0).unsqueeze(1)
        pos = torch.minimum(pos, last.to(pos.dtype))
        lo = pos.floor().long()
        hi = torch.minimum(lo + 1, last)
        w = (pos - lo).to(x.dtype).unsqueeze(1)
        z = filled(x)
        out = z.gather(-1, lo.unsqueeze(1).expand(-1, c, -1)) * (1 - w) + z.gather(-1, hi.unsqueeze(1).expand(-1, c, -1)) * w
        new_n = (((n - 1).clamp_min(0) / drawn.to(torch.float32)).floor().long() + 1).clamp(max=t)
        return out.masked_fill(~mask_from_lengths(new_n, t).unsqueeze(1), float("nan"))

    def extra_repr(self) -> str:
        return f"min_factor={self.min_factor}, max_factor={self.max_factor}, p={self.p}"
