"""The classical baseline: mean and standard deviation of 20 MFCCs and their deltas over each clip's frames."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.plugins.audio.waves import as_waves, filled, lengths, mask_from_lengths

DESCRIPTION = "mean and std of 20 MFCCs with deltas over the clip's frames (25 ms windows, 10 ms hop, 40 mels)"


class MFCCStats:
    """``raw_features`` of audio bundles: waveforms ``[B, C, T]`` (NaN after a clip's end) to ``[B, 80]``.

    The channels are mixed down to mono; statistics are taken over the frames inside the clip only, so the
    padding after a short clip does not count. Picklable (the transform is built on first use in each process).
    """

    n_mfcc = 20

    def __init__(self, sample_rate: int = 16000) -> None:
        self.sample_rate = int(sample_rate)
        self._mfcc: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"sample_rate": self.sample_rate, "_mfcc": None}

    def transform(self) -> Any:
        """Return torchaudio's MFCC transform for this sample rate (built once)."""
        if self._mfcc is None:
            import torchaudio

            n_fft = int(round(0.025 * self.sample_rate))
            self.hop = int(round(0.010 * self.sample_rate))
            melkwargs = {"n_fft": n_fft, "hop_length": self.hop, "n_mels": 40, "f_max": self.sample_rate / 2}
            self._mfcc = torchaudio.transforms.MFCC(self.sample_rate, n_mfcc=self.n_mfcc, melkwargs=melkwargs)
        return self._mfcc

    @torch.no_grad()
    def __call__(self, waves: torch.Tensor) -> torch.Tensor:
        """Return the statistics of a batch (on the batch's device)."""
        import torchaudio

        x = as_waves(waves, "the MFCC baseline").float()
        mfcc = self.transform().to(x.device)
        n = lengths(x)
        mono = filled(x).mean(1)
        coeffs = mfcc(mono)  # [B, 20, N]
        feats = torch.cat([coeffs, torchaudio.functional.compute_deltas(coeffs)], dim=1)
        frames = feats.shape[-1]
        valid = mask_from_lengths(torch.clamp(n // self.hop + 1, max=frames), frames).unsqueeze(1).to(feats.dtype)
        count = valid.sum(-1).clamp_min(1)
        mean = (feats * valid).sum(-1) / count
        var = (((feats - mean.unsqueeze(-1)) * valid) ** 2).sum(-1) / count
        return torch.cat([mean, var.sqrt()], dim=1)
