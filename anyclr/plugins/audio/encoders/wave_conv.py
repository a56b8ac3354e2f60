"""A small waveform front end: strided 1-D convolutions straight on the samples (wav2vec-style), pooled over time."""

from __future__ import annotations

import torch
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.plugins.audio.encoders.base import mark_padding, masked_mean_max
from anyclr.plugins.audio.waves import as_waves, filled, lengths, mask_from_lengths


class WaveConv(nn.Module):
    """Strided 1-D convolutions on waveforms ``[B, C, T]``: each layer Conv1d (no padding) - BatchNorm - GELU.

    The default kernels 10, 8, 4, 4, 4 with strides 5, 4, 2, 2, 2 give one frame per 160 samples (10 ms at
    16 kHz) seeing 465 samples (29 ms), like wav2vec's feature encoder at a fifth of its depth. The clip
    embedding is the mean plus the max over the frames inside the clip. ``out_dim = dim``. Takes waveforms
    only (not the views' log-mel).

    Args:
        in_channels: audio channels (injected).
        width: channels of the inner layers (default 64).
        dim: channels of the last layer, the embedding width (default 256).
        kernels: kernel size of each layer (default ``[10, 8, 4, 4, 4]``).
        strides: stride of each layer (default ``[5, 4, 2, 2, 2]``).
    """

    def __init__(
        self,
        in_channels: int = 1,
        width: int = 64,
        dim: int = 256,
        kernels: tuple[int, ...] | list[int] = (10, 8, 4, 4, 4),
        strides: tuple[int, ...] | list[int] = (5, 4, 2, 2, 2),
    ) -> None:
        super().__init__()
        if len(kernels) != len(strides) or not kernels:
            raise ValueError(f"kernels and strides need the same, non-zero length, got {list(kernels)} and {list(strides)}")
        self.in_channels = int(in_channels)
        self.kernels, self.strides = [int(k) for k in kernels], [int(s) for s in strides]
        widths = [in_channels] + [width] * (len(kernels) - 1) + [dim]
        layers: list[nn.Module] = []
        for i, (k, s) in enumerate(zip(self.kernels, self.strides, strict=True)):
            layers += [nn.Conv1d(widths[i], widths[i + 1], k, s, bias=False), nn.BatchNorm1d(widths[i + 1]), nn.GELU()]
        self.layers = nn.Sequential(*layers)
        self.out_dim = int(dim)

    def frame_count(self, samples: torch.Tensor) -> torch.Tensor:
        """Return how many output frames ``samples`` input samples give (at least 1)."""
        n = samples
        for k, s in zip(self.kernels, self.strides, strict=True):
            n = torch.div(n - k, s, rounding_mode="floor") + 1
        return n.clamp_min(1)

    def encode_frames(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return per-frame features ``[B, N, dim]`` and their mask ``[B, N]``."""
        x = as_waves(inputs, "wave-conv")
        if x.shape[1] != self.in_channels:
            raise AnyclrError(f"The audio has {x.shape[1]} channel(s) but wave-conv was built for {self.in_channels}.", "Use data.channels as in training.")
        receptive = self.kernels[-1]
        for k, s in zip(reversed(self.kernels[:-1]), reversed(self.strides[:-1]), strict=True):
            receptive = (receptive - 1) * s + k
        if x.shape[-1] < receptive:
            raise AnyclrError(f"wave-conv needs at least {receptive} samples per clip, got {x.shape[-1]}.", "Use longer segments.")
        h = self.layers(filled(x)).transpose(1, 2)
        return h, mask_from_lengths(torch.minimum(self.frame_count(lengths(x)), torch.full_like(lengths(x), h.shape[1])), h.shape[1])

    def frames(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return per-frame outputs ``[B, N, dim]``, NaN past each clip's end."""
        return mark_padding(*self.encode_frames(inputs))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return pooled clip embeddings ``[B, dim]``."""
        mean, peak = masked_mean_max(*self.encode_frames(inputs))
        return mean + peak
