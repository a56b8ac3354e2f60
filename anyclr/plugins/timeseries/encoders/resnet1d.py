"""A 1-D ResNet for time series (Wang et al. 2017): three residual blocks of 8-5-3 convolutions with BatchNorm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.plugins.timeseries.encoders.dilated_conv import OUTPUTS
from anyclr.plugins.timeseries.series import as_series, mark_missing, max_pool_time


class ResidualBlock(nn.Module):
    """Conv-BN-ReLU x3 (kernels 8, 5, 3; "same" padding) plus a 1x1-conv-BN shortcut; padding stays zero."""

    def __init__(self, in_channels: int, out_channels: int, kernels: Sequence[int] = (8, 5, 3)) -> None:
        super().__init__()
        widths = [in_channels] + [out_channels] * len(kernels)
        self.convs = nn.ModuleList(nn.Conv1d(widths[i], widths[i + 1], k, bias=False) for i, k in enumerate(kernels))
        self.norms = nn.ModuleList(nn.BatchNorm1d(out_channels) for _ in kernels)
        self.shortcut = nn.Sequential(nn.Conv1d(in_channels, out_channels, 1, bias=False), nn.BatchNorm1d(out_channels))

    def forward(self, x: torch.Tensor, inside: torch.Tensor | None = None) -> torch.Tensor:
        """Apply the block to ``[B, C, T]``; ``inside`` ``[B, 1, T]`` re-zeroes the end padding after each layer."""
        h = x
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms, strict=True)):
            k = conv.kernel_size[0]
            h = norm(conv(F.pad(h, ((k - 1) // 2, k // 2))))  # "same" padding, also for even kernels
            if i < len(self.convs) - 1:
                h = F.relu(h) if inside is None else F.relu(h) * inside
        h = F.relu(h + self.shortcut(x))
        return h if inside is None else h * inside


class ResNet1D(nn.Module):
    """1-D ResNet encoder (Wang, Yan & Oates 2017, "Time series classification from scratch").

    Missing timestamps (and those a view masks) are zeroed at the input; the padding after a shorter
    series is re-zeroed after every layer, so in eval mode it encodes as it would alone.

    Args:
        in_channels: channels of the input series (from the dataset).
        widths: output width of each residual block (default 64, 128, 128); ``out_dim`` is the last.
        output: ``"timestamps"`` (``[B, T, D]``, NaN where nothing was observed) or ``"pooled"`` (``[B, D]``).
    """

    def __init__(self, in_channels: int = 1, widths: Sequence[int] = (64, 128, 128), output: str = "timestamps") -> None:
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {output!r}")
        self.in_channels = int(in_channels)
        self.output = output
        ins = [in_channels, *widths[:-1]]
        self.blocks = nn.ModuleList(ResidualBlock(i, o) for i, o in zip(ins, widths, strict=True))
        self.out_dim = int(widths[-1])

    def forward(self, inputs: Any) -> torch.Tensor:
        """Encode a batch (tensor ``[B, T, C]`` or ``SeriesView``) to per-timestamp or pooled features."""
        s = as_series(inputs, self.in_channels)
        h = s.x.masked_fill(~s.input_mask().unsqueeze(-1), 0.0).transpose(1, 2)
        inside = s.inside.unsqueeze(1).to(h.dtype) if s.inside is not None else None
        for block in self.blocks:
            h = block(h, inside)
        h = mark_missing(h.transpose(1, 2), s.observed)
        return max_pool_time(h) if self.output == "pooled" else h

    def pool(self, h: torch.Tensor) -> torch.Tensor:
        """Max-pool per-timestamp features over observed time."""
        return max_pool_time(h)
