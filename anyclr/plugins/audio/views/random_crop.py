"""Random segment crop (COLA): a random window of each clip, the same length for the whole batch."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from anyclr.core.views import Augmentation
from anyclr.plugins.audio.waves import as_waves, lengths


class RandomCrop(Augmentation):
    """Cut a random ``seconds``-long window out of each clip (COLA's segments; BYOL-A's 1-s crop).

    The window lies inside the clip: a clip shorter than the window keeps all of it, still followed by NaN
    padding. Parameters: the window's first sample ``[B]``. Changes the batch's length to the window's.

    Args:
        seconds: window length (default 0.5).
        sample_rate: samples per second (injected from the dataset).
    """

    def __init__(self, seconds: float = 0.5, sample_rate: int = 16000) -> None:
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"crop seconds must be positive, got {seconds}")
        self.seconds = float(seconds)
        self.size = max(1, int(round(seconds * sample_rate)))

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return each window's first sample ``[B]`` (uniform over the positions that keep it inside the clip)."""
        x = as_waves(inputs, "audio-random-crop")
        room = (lengths(x) - self.size).clamp_min(0)
        u = torch.rand(x.shape[0], device=x.device, generator=generator)
        return torch.minimum((u * (room + 1)).floor().long(), room)

    def apply(self, inputs: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Return the windows ``[B, C, seconds * sample_rate]``."""
        x = as_waves(inputs, "audio-random-crop")
        if x.shape[-1] < self.size:
            x = F.pad(x, (0, self.size - x.shape[-1]), value=float("nan"))
        index = params.unsqueeze(1) + torch.arange(self.size, device=x.device)
        return x.gather(-1, index.unsqueeze(1).expand(-1, x.shape[1], -1))

    def extra_repr(self) -> str:
        return f"seconds={self.seconds}, samples={self.size}"
