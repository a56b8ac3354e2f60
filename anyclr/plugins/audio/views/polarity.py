"""Polarity inversion: the waveform upside down (sounds the same, looks different to a waveform encoder)."""

from __future__ import annotations

import torch

from anyclr.plugins.audio.views.audio_augmentation import AudioAugmentation


class PolarityInversion(AudioAugmentation):
    """Multiply each chosen clip by -1. Parameters: which clips (the coin alone).

    Args:
        p: probability that a clip is inverted (default 0.5).
    """

    name = "audio-polarity"

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> None:
        """Nothing to draw beyond the coin."""
        return None

    def change(self, x: torch.Tensor, drawn: None) -> torch.Tensor:
        """Return the inverted clips."""
        return -x

    def extra_repr(self) -> str:
        return f"p={self.p}"
