"""A Transformer encoder for time series: input projection, sinusoidal positions, padding-masked self-attention."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from anyclr.plugins.timeseries.encoders.dilated_conv import OUTPUTS
from anyclr.plugins.timeseries.series import as_series, mark_missing, max_pool_time


def sinusoidal_positions(length: int, dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Return the ``[length, dim]`` sine/cosine position encoding of Vaswani et al. 2017."""
    pos = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    out = torch.zeros(length, dim, device=device)
    out[:, 0::2] = torch.sin(pos * freq)
    out[:, 1::2] = torch.cos(pos * freq)[:, : dim // 2]
    return out


class TransformerEncoder1D(nn.Module):
    """Transformer encoder over timestamps; unobserved timestamps are excluded by the attention padding mask.

    Missing timestamps and those a view masks (``keep``) have their projected input zeroed (as TS2Vec
    does) but are still attended to; the padding after a shorter series is masked out of attention,
    so a padded series encodes as it would alone (in eval mode).

    Args:
        in_channels: channels of the input series (from the dataset).
        width: model width (default 128); ``out_dim`` equals it.
        depth: number of layers (default 3).
        heads: attention heads (default 4).
        ff_mult: feed-forward width as a multiple of ``width`` (default 2).
        dropout: dropout in the layers (default 0.1).
        output: ``"timestamps"`` (``[B, T, D]``, NaN where nothing was observed) or ``"pooled"`` (``[B, D]``).
    """

    def __init__(
        self,
        in_channels: int = 1,
        width: int = 128,
        depth: int = 3,
        heads: int = 4,
        ff_mult: int = 2,
        dropout: float = 0.1,
        output: str = "timestamps",
    ) -> None:
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {output!r}")
        if width % heads:
            raise ValueError(f"width ({width}) must be divisible by heads ({heads})")
        self.in_channels = int(in_channels)
        self.out_dim = int(width)
        self.output = output
        self.input_fc = nn.Linear(in_channels, width)
        layer = nn.TransformerEncoderLayer(width, heads, ff_mult * width, dropout, activation="gelu", batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)

    def forward(self, inputs: Any) -> torch.Tensor:
        """Encode a batch (tensor ``[B, T, C]`` or ``SeriesView``) to per-timestamp or pooled features."""
        s = as_series(inputs, self.in_channels)
        h = self.input_fc(s.x).masked_fill(~s.input_mask().unsqueeze(-1), 0.0)
        h = h + sinusoidal_positions(h.shape[1], h.shape[2], h.device).to(h.dtype)
        padding = None
        if s.inside is not None:
            padding = ~s.inside
            padding[:, 0] = False  # a row with nothing observed would attend to nothing (NaN)
        h = self.norm(self.layers(h, src_key_padding_mask=padding))
        h = mark_missing(h, s.observed)
        return max_pool_time(h) if self.output == "pooled" else h

    def pool(self, h: torch.Tensor) -> torch.Tensor:
        """Max-pool per-timestamp features over observed time."""
        return max_pool_time(h)
