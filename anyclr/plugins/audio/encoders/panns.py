"""PANNs' CNN6 and CNN10 (Kong et al. 2020): conv blocks with average pooling on log-mel, PANNs' pooling head."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.plugins.audio.encoders.base import SpectrogramEncoder, masked_mean_max, shrink_mask


def conv_block(c_in: int, c_out: int, double: bool) -> nn.Sequential:
    """CNN10's block (two 3x3 conv-BN-ReLU) or CNN6's (one 5x5 conv-BN-ReLU), then 2x2 average pooling."""
    if double:
        layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
                  nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]  # fmt: skip
    else:
        layers = [nn.Conv2d(c_in, c_out, 5, padding=2, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.AvgPool2d(2))


class PANNsCNN(SpectrogramEncoder):
    """A PANNs CNN: four conv blocks (``width`` x 1, 2, 4, 8 channels) with 2x2 average pooling and dropout 0.2,
    mean over mel bins, max + average smoothing over 3 frames, then PANNs' head: ``relu(fc(max_t + mean_t))``
    for the clip, ``relu(fc(h_t))`` per frame. ``out_dim = dim``. PANNs' own BatchNorm over mel bins is left
    out: the front end already standardises the log-mel.

    Args:
        sample_rate: samples per second (injected from the dataset).
        front_end: log-mel settings (injected from the dataset).
        in_channels: audio channels (injected).
        double: two 3x3 convolutions per block (CNN10) instead of one 5x5 (CNN6).
        width: channels of the first block (default 64, as in PANNs: 64-128-256-512).
        dim: embedding width (default 512).
        dropout: dropout after each block and before the head (default 0.2).
    """

    min_frames = 16

    def __init__(
        self,
        sample_rate: int = 16000,
        front_end: dict[str, Any] | None = None,
        in_channels: int = 1,
        double: bool = True,
        width: int = 64,
        dim: int = 512,
        dropout: float = 0.2,
    ) -> None:
        super().__init__(sample_rate, front_end, in_channels)
        widths = [in_channels, width, 2 * width, 4 * width, 8 * width]
        self.blocks = nn.ModuleList(conv_block(widths[i], widths[i + 1], double) for i in range(4))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(8 * width, dim)
        self.out_dim = int(dim)

    def encode_frames(self, x: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return smoothed per-frame features before the head ``[B, N/16, 8 width]`` and their mask."""
        h = x
        for block in self.blocks:
            h = self.dropout(block(h))
        h = h.mean(dim=2)  # over mel bins: [B, C, N/16]
        h = F.max_pool1d(h, 3, 1, 1) + F.avg_pool1d(h, 3, 1, 1)
        return self.dropout(h.transpose(1, 2)), shrink_mask(valid, h.shape[-1])

    def pool_frames(self, h: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Return ``relu(fc(max + mean))`` over the valid frames (PANNs' clip embedding)."""
        mean, peak = masked_mean_max(h, valid)
        return F.relu(self.fc(mean + peak))

    def frames(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return per-frame embeddings ``relu(fc(h_t))`` ``[B, N/16, dim]``, NaN past each clip's end."""
        h, valid = self.encode_frames(*self.spectrogram(inputs))
        return F.relu(self.fc(h)).masked_fill(~valid.unsqueeze(-1), float("nan"))


def cnn6(
    sample_rate: int = 16000, front_end: dict[str, Any] | None = None, in_channels: int = 1, width: int = 64, dim: int = 512, dropout: float = 0.2
) -> PANNsCNN:
    """PANNs CNN6: four 5x5 conv blocks (width, 2w, 4w, 8w channels; PANNs: width 64), average pooling, max+mean head."""
    return PANNsCNN(sample_rate, front_end, in_channels, False, width, dim, dropout)


def cnn10(
    sample_rate: int = 16000, front_end: dict[str, Any] | None = None, in_channels: int = 1, width: int = 64, dim: int = 512, dropout: float = 0.2
) -> PANNsCNN:
    """PANNs CNN10: four blocks of two 3x3 convs (width, 2w, 4w, 8w channels; PANNs: width 64), average pooling, max+mean head."""
    return PANNsCNN(sample_rate, front_end, in_channels, True, width, dim, dropout)
