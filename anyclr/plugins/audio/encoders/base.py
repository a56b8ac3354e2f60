"""What the audio encoders share: reading a batch as a spectrogram and its frame mask, masked pooling."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.plugins.audio.frontend import FrontEnd
from anyclr.plugins.audio.waves import SPECTROGRAM_DIMS, as_waves, filled, valid_mask


def shrink_mask(valid: torch.Tensor, frames: int) -> torch.Tensor:
    """Return the frame mask ``[B, N]`` after pooling down to ``frames``: a pooled frame is valid when any of its
    inputs was (pooling floors, so the trailing ``N mod factor`` frames drop out as in the network)."""
    factor = valid.shape[1] // frames
    pooled = F.max_pool1d(valid[:, : frames * factor].unsqueeze(1).float(), factor, factor).squeeze(1) > 0
    return pooled | ~pooled.any(dim=1, keepdim=True)


def masked_mean_max(h: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the mean and the max of ``h`` ``[B, N, D]`` over the valid frames ``[B, N]``."""
    m = valid.unsqueeze(-1).to(h.dtype)
    mean = (h * m).sum(1) / m.sum(1).clamp_min(1)
    peak = h.masked_fill(~valid.unsqueeze(-1), torch.finfo(h.dtype).min).amax(1)
    return mean, peak


def mark_padding(h: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Return per-frame outputs ``[B, N, D]`` with NaN in the frames past the clip's end."""
    return h.masked_fill(~valid.unsqueeze(-1), float("nan"))


class SpectrogramEncoder(nn.Module):
    """Base of log-mel encoders: waveforms go through the front end, spectrograms from the views are used as they are.

    Subclasses implement :meth:`encode_frames` (zero-filled spectrogram and frame mask to per-frame features and
    their mask) and :meth:`pool_frames` (to clip embeddings).
    """

    min_frames = 1  # frames the body needs (its total pooling factor)

    def __init__(self, sample_rate: int = 16000, front_end: dict[str, Any] | None = None, in_channels: int = 1) -> None:
        super().__init__()
        self.front = FrontEnd(sample_rate, front_end)
        self.in_channels = int(in_channels)
        self.bins = self.front.settings.bins

    def spectrogram(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the zero-filled spectrogram ``[B, C, F, N]`` of a batch and its frame mask ``[B, N]``."""
        x = inputs if inputs.dim() == SPECTROGRAM_DIMS else self.front(as_waves(inputs, type(self).__name__))
        if x.shape[1] != self.in_channels:
            raise AnyclrError(
                f"The audio has {x.shape[1]} channel(s) but the encoder was built for {self.in_channels}.",
                "Use data with the training data's channels (data.channels).",
            )
        if x.shape[2] != self.bins:
            raise AnyclrError(
                f"The spectrogram has {x.shape[2]} bins but the encoder's front end makes {self.bins}.",
                "Give the views' audio-logmel step and the encoder the same front end (both take data.front_end by default).",
            )
        if x.shape[3] < self.min_frames:
            raise AnyclrError(
                f"{type(self).__name__} pools {self.min_frames} frames into one, but the input has only {x.shape[3]}.",
                "Use longer segments (data.seconds, or the views' crop length).",
            )
        return filled(x), valid_mask(x)

    def encode_frames(self, x: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return per-frame features ``[B, N', D]`` and their mask ``[B, N']``."""
        raise NotImplementedError

    def pool_frames(self, h: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Return clip embeddings ``[B, D]`` from per-frame features (mean + max over the valid frames)."""
        mean, peak = masked_mean_max(h, valid)
        return mean + peak

    def frames(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return per-frame outputs ``[B, N', D]``, NaN in the frames past each clip's end."""
        return mark_padding(*self.encode_frames(*self.spectrogram(inputs)))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return pooled clip embeddings ``[B, D]``."""
        return self.pool_frames(*self.encode_frames(*self.spectrogram(inputs)))
