"""Additive white noise at a random signal-to-noise ratio."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from anyclr.plugins.audio.views.audio_augmentation import AudioAugmentation, per_sample, uniform
from anyclr.plugins.audio.waves import filled, lengths


@dataclass
class NoiseDraw:
    """Unit Gaussian noise shaped like the batch, and each clip's SNR in dB."""

    noise: torch.Tensor  # [B, C, T]
    snr_db: torch.Tensor  # [B]


class AddNoise(AudioAugmentation):
    """Add Gaussian noise whose power is the clip's (over its samples, not its padding) divided by ``10 ** (snr / 10)``.

    Parameters: the unit noise ``[B, C, T]`` and the SNR in dB ``[B]``, uniform in ``[min_snr, max_snr]``.

    Args:
        min_snr: lowest SNR in dB (default 5: loud noise).
        max_snr: highest SNR in dB (default 30).
        p: probability that a clip gets noise (default 1).
    """

    name = "audio-noise"

    def __init__(self, min_snr: float = 5.0, max_snr: float = 30.0, p: float = 1.0) -> None:
        super().__init__(p)
        if min_snr > max_snr:
            raise ValueError(f"min_snr must not exceed max_snr, got {min_snr} > {max_snr}")
        self.min_snr, self.max_snr = float(min_snr), float(max_snr)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> NoiseDraw:
        """Return unit noise and SNRs."""
        noise = torch.randn(x.shape, device=x.device, dtype=x.dtype, generator=generator)
        return NoiseDraw(noise, uniform((x.shape[0],), self.min_snr, self.max_snr, x, generator))

    def change(self, x: torch.Tensor, drawn: NoiseDraw) -> torch.Tensor:
        """Return the clips plus scaled noise (the padding stays NaN)."""
        count = (lengths(x) * x.shape[1]).clamp_min(1).to(x.dtype)
        rms = (filled(x).pow(2).sum(dim=(1, 2)) / count).sqrt()
        scale = rms * 10.0 ** (-drawn.snr_db.to(x.dtype) / 20.0)
        return x + drawn.noise * per_sample(scale, x)

    def extra_repr(self) -> str:
        return f"min_snr={self.min_snr}, max_snr={self.max_snr}, p={self.p}"
