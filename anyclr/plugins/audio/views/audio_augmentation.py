"""The base of audio augmentations that keep a batch's shape, each sample changed with probability ``p``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.audio.waves import as_spectrograms, as_waves


@dataclass
class AudioParams:
    """What an audio augmentation drew for a batch: its own parameters, and which samples it changes."""

    drawn: Any  # the augmentation's parameters for the whole batch
    chosen: torch.Tensor | None = None  # [B] bool; None: every sample


class AudioAugmentation(Augmentation):
    """Base for augmentations of waveforms ``[B, C, T]`` (``domain = "wave"``) or log-mel spectrograms
    ``[B, C, F, N]`` (``domain = "spectrogram"``) that keep the shape and the NaN padding after a clip's end.

    Subclasses implement :meth:`draw` (every random choice, from ``generator`` when given, on the batch's
    device) and :meth:`change` (deterministic).

    Args:
        p: probability that a sample is augmented (default 1; the coin is drawn after the parameters, and only
            when ``p < 1``).
    """

    domain = "wave"
    name = "audio augmentation"

    def __init__(self, p: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.p = float(p)

    def batch(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return the inputs in this augmentation's layout, or raise a clear error."""
        return as_waves(inputs, self.name) if self.domain == "wave" else as_spectrograms(inputs, self.name)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> Any:
        """Return this augmentation's random parameters for the batch ``x``."""
        raise NotImplementedError

    def change(self, x: torch.Tensor, drawn: Any) -> torch.Tensor:
        """Return ``x`` changed by the parameters ``drawn`` (every sample)."""
        raise NotImplementedError

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> AudioParams:
        """Draw the parameters for the batch, then which samples to change."""
        x = self.batch(inputs)
        drawn = self.draw(x, generator)
        chosen = None if self.p >= 1 else torch.rand(x.shape[0], device=x.device, generator=generator) < self.p
        return AudioParams(drawn, chosen)

    def apply(self, inputs: torch.Tensor, params: AudioParams) -> torch.Tensor:
        """Change the chosen samples."""
        x = self.batch(inputs)
        out = self.change(x, params.drawn)
        if params.chosen is not None:
            out = torch.where(params.chosen.view(-1, *[1] * (x.dim() - 1)), out, x)
        return out


def uniform(shape: tuple[int, ...], low: float, high: float, like: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Return uniform draws in ``[low, high)`` on ``like``'s device, in float32."""
    return torch.rand(shape, device=like.device, generator=generator) * (high - low) + low


def per_sample(values: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Return ``[B]`` values shaped to broadcast over ``x``'s other dimensions, in ``x``'s dtype."""
    return values.to(x.dtype).view(-1, *[1] * (x.dim() - 1))
