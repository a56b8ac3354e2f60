"""What every audio component shares: the batch layout, and reading its mask.

Waveforms are ``[B, C, T]`` floats; a clip shorter than the segment is padded at the end with NaN, so a
batch is one plain tensor that moves, stacks, slices and stores like any other (the time-series plug-in's
convention). Spectrograms are ``[B, C, F, N]`` with NaN in the frames past the clip's end.
"""

from __future__ import annotations

import torch

from anyclr.core.errors import AnyclrError

WAVE_DIMS = 3
SPECTROGRAM_DIMS = 4


def as_waves(x: torch.Tensor, owner: str) -> torch.Tensor:
    """Return a waveform batch as ``[B, C, T]`` (``[B, T]`` gains a channel); refuse spectrograms with a clear error."""
    if x.dim() == 2:
        return x.unsqueeze(1)
    if x.dim() == SPECTROGRAM_DIMS:
        raise AnyclrError(
            f"{owner} works on waveforms, but its input is already a spectrogram {tuple(x.shape)}.",
            "Put waveform augmentations before the audio-logmel step in the view pipeline.",
        )
    if x.dim() != WAVE_DIMS:
        raise AnyclrError(f"{owner} needs waveforms [batch, channels, samples], got shape {tuple(x.shape)}.")
    return x


def as_spectrograms(x: torch.Tensor, owner: str) -> torch.Tensor:
    """Return a spectrogram batch ``[B, C, F, N]``; a waveform gets a clear error naming the missing step."""
    if x.dim() != SPECTROGRAM_DIMS:
        raise AnyclrError(
            f"{owner} works on log-mel spectrograms [batch, channels, mels, frames], got shape {tuple(x.shape)}.",
            "Add {name = \"audio-logmel\"} to the view pipeline before it.",
        )
    return x


def lengths(x: torch.Tensor) -> torch.Tensor:
    """Return ``[B]``: valid samples (waveforms) or frames (spectrograms) of each clip, from its NaN padding."""
    flat = x[:, 0] if x.dim() == WAVE_DIMS else x[:, 0, 0]
    return (~torch.isnan(flat)).sum(-1)


def valid_mask(x: torch.Tensor) -> torch.Tensor:
    """Return ``[B, T]`` (or ``[B, N]`` frames): True before each clip's end."""
    flat = x[:, 0] if x.dim() == WAVE_DIMS else x[:, 0, 0]
    return ~torch.isnan(flat)


def mask_from_lengths(n: torch.Tensor, size: int) -> torch.Tensor:
    """Return ``[B, size]``: True at positions below each row's length ``n``."""
    return torch.arange(size, device=n.device).unsqueeze(0) < n.unsqueeze(1)


def with_padding(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Return ``x`` (``[B, C, T]`` or ``[B, C, F, N]``) with NaN wherever ``valid`` ``[B, T|N]`` is False."""
    shape = (valid.shape[0], 1, valid.shape[1]) if x.dim() == WAVE_DIMS else (valid.shape[0], 1, 1, valid.shape[1])
    return x.masked_fill(~valid.view(shape), float("nan"))


def filled(x: torch.Tensor, value: float = 0.0) -> torch.Tensor:
    """Return ``x`` with its padding (NaN) replaced by ``value``."""
    return torch.nan_to_num(x, nan=value)


def pad_to(wave: torch.Tensor, size: int) -> torch.Tensor:
    """Return a clip ``[C, T]`` cut or NaN-padded at the end to ``size`` samples."""
    if wave.shape[-1] >= size:
        return wave[..., :size]
    pad = wave.new_full((*wave.shape[:-1], size - wave.shape[-1]), float("nan"))
    return torch.cat([wave, pad], dim=-1)
