"""The front end as a pipeline step: waveforms to normalised log-mel (or MFCC) spectrograms, on the device."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.audio.frontend import FrontEnd


class LogMel(Augmentation):
    """Turn waveforms ``[B, C, T]`` into normalised log-mel ``[B, C, F, N]`` (NaN in the frames past a clip's end).

    Nothing random: it marks where a pipeline switches from waveform augmentations to spectrogram ones.
    The settings come from the dataset (``info["front_end"]``: BYOL-A's 64 mels, 25 ms windows, 10 ms hop, the
    training set's mean and std), the same ones every encoder uses on the waveforms it is given.

    Args:
        sample_rate: samples per second (injected from the dataset).
        front_end: front-end settings (injected from the dataset; keys kind, n_fft, win_length, hop_length,
            n_mels, f_min, f_max, n_mfcc, mean, std).
    """

    def __init__(self, sample_rate: int = 16000, front_end: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.front = FrontEnd(sample_rate, front_end)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> None:
        """Nothing to draw."""
        return None

    def apply(self, inputs: torch.Tensor, params: None) -> torch.Tensor:
        """Return the spectrograms."""
        return self.front(inputs)
