"""SpecAugment's masks (Park et al. 2019): random stretches of frames or mel bins set to the mean (zero)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from anyclr.plugins.audio.views.audio_augmentation import AudioAugmentation
from anyclr.plugins.audio.waves import lengths


@dataclass
class MaskDraw:
    """Where each mask starts and how wide it is, ``[B, count]`` each."""

    start: torch.Tensor
    width: torch.Tensor


class _Masks(AudioAugmentation):
    domain = "spectrogram"
    axis = -1  # frames; -2 for mel bins

    def __init__(self, max_width: int = 10, count: int = 2, p: float = 1.0) -> None:
        super().__init__(p)
        if max_width < 0 or count < 0:
            raise ValueError(f"max_width and count must be 0 or more, got {max_width}, {count}")
        self.max_width, self.count = int(max_width), int(count)

    def extent(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``[B]``: the cells masks may cover along the axis."""
        raise NotImplementedError

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> MaskDraw:
        """Return the masks' starts and widths (each width uniform in 0 … max_width, placed inside the clip)."""
        b = x.shape[0]
        u = torch.rand(b, self.count, 2, device=x.device, generator=generator)
        width = (u[..., 0] * (self.max_width + 1)).floor().long()
        room = (self.extent(x).unsqueeze(1) - width).clamp_min(0)
        start = torch.minimum((u[..., 1] * (room + 1)).floor().long(), room)
        return MaskDraw(start, width)

    def change(self, x: torch.Tensor, drawn: MaskDraw) -> torch.Tensor:
        """Return ``x`` with the masked cells set to 0 (the padding stays NaN)."""
        cells = torch.arange(x.shape[self.axis], device=x.device).view(1, 1, -1)
        hit = ((cells >= drawn.start.unsqueeze(-1)) & (cells < (drawn.start + drawn.width).unsqueeze(-1))).any(dim=1)  # [B, cells]
        shape = (x.shape[0], 1, 1, -1) if self.axis == -1 else (x.shape[0], 1, -1, 1)
        hit = hit.view(shape) & ~torch.isnan(x)
        return x.masked_fill(hit, 0.0)

    def extra_repr(self) -> str:
        return f"max_width={self.max_width}, count={self.count}, p={self.p}"


class TimeMask(_Masks):
    """SpecAugment time masks: ``count`` stretches of up to ``max_width`` frames inside each clip set to 0.

    Parameters: starts and widths ``[B, count]``.

    Args:
        max_width: widest mask in frames (default 10: 100 ms at a 10 ms hop).
        count: masks per clip (default 2).
        p: probability that a clip is masked (default 1).
    """

    name = "audio-time-mask"
    axis = -1

    def __init__(self, max_width: int = 10, count: int = 2, p: float = 1.0) -> None:
        super().__init__(max_width, count, p)

    def extent(self, x: torch.Tensor) -> torch.Tensor:
        """Return each clip's frames."""
        return lengths(x)


class FrequencyMask(_Masks):
    """SpecAugment frequency masks: ``count`` bands of up to ``max_width`` mel bins set to 0.

    Parameters: starts and widths ``[B, count]``.

    Args:
        max_width: widest mask in mel bins (default 8).
        count: masks per clip (default 2).
        p: probability that a clip is masked (default 1).
    """

    name = "audio-frequency-mask"
    axis = -2

    def __init__(self, max_width: int = 8, count: int = 2, p: float = 1.0) -> None:
        super().__init__(max_width, count, p)

    def extent(self, x: torch.Tensor) -> torch.Tensor:
        """Return the mel bins (the same for every clip)."""
        return torch.full((x.shape[0],), x.shape[-2], device=x.device, dtype=torch.long)
