"""TS2Vec's encoder: a linear input projection, then residual blocks of dilated convolutions (dilation 2^i)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.plugins.timeseries.encoders.fast_dropout import Dropout
from anyclr.plugins.timeseries.series import SeriesView, as_series, mark_missing, max_pool_time

OUTPUTS = ("timestamps", "pooled")


class SamePadConv(nn.Module):
    """A 1-D convolution whose output has the input's length (zero padding, TS2Vec's ``SamePadConv``).

    When the dilation reaches the input length, every tap but the centre one reads padding, so the
    convolution is a 1x1 convolution with the centre weights: computed that way it gives the same
    outputs and gradients at a third of the cost (for TS2Vec's last blocks, dilation 256-1024, on
    series of a few hundred steps, that is most of the network's work).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1) -> None:
        super().__init__()
        self.receptive_field = (kernel_size - 1) * dilation + 1
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, padding=self.receptive_field // 2, dilation=dilation)
        self.remove = 1 if self.receptive_field % 2 == 0 else 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve ``x`` ``[B, C, T]`` to ``[B, C_out, T]``."""
        k, d = self.conv.kernel_size[0], self.conv.dilation[0]
        if k % 2 == 1 and d >= x.shape[-1]:
            centre = self.conv.weight[:, :, k // 2 : k // 2 + 1]
            return F.conv1d(x, centre, self.conv.bias)
        out = self.conv(x)
        return out[:, :, : -self.remove] if self.remove else out


class ConvBlock(nn.Module):
    """GELU -> conv -> GELU -> conv, plus a residual (projected by a 1x1 conv when widths differ or last)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int, final: bool = False) -> None:
        super().__init__()
        self.conv1 = SamePadConv(in_channels, out_channels, kernel_size, dilation)
        self.conv2 = SamePadConv(out_channels, out_channels, kernel_size, dilation)
        self.projector = nn.Conv1d(in_channels, out_channels, 1) if in_channels != out_channels or final else None

    def pointwise(self, length: int) -> bool:
        """Return True if, on series of ``length`` steps, each output step depends on that input step only."""
        return all(c.conv.kernel_size[0] % 2 == 1 and c.conv.dilation[0] >= length for c in (self.conv1, self.conv2))

    def forward(self, x: torch.Tensor, inside: torch.Tensor | None = None) -> torch.Tensor:
        """Apply the block to ``[B, C, T]``; ``inside`` ``[B, 1, T]`` re-zeroes the end padding before each conv."""
        residual = x if self.projector is None else self.projector(x)
        h = self.conv1(F.gelu(x))
        if inside is None:
            return self.conv2(F.gelu(h)) + residual
        return (self.conv2(F.gelu(h * inside)) + residual) * inside


class DilatedConvEncoder(nn.Module):
    """TS2Vec's encoder (Yue et al. 2022, arXiv 2106.10466).

    Missing timestamps are zeroed after the input projection, and so are the timestamps a view masks
    (its ``keep`` mask); then ``depth`` residual blocks of ``hidden``-wide dilated convolutions
    (dilation ``2**i``) and one final block to ``out_dim`` channels, then dropout. The padding after
    a shorter series is re-zeroed before every convolution, so it encodes as it would alone (gaps
    inside a series are zeroed at the input only, as TS2Vec does, so the network can fill them in).

    A :class:`~anyclr.plugins.timeseries.series.SeriesView` may carry ``window = (starts, length)``: then only those ``length`` timestamps from
    ``starts[b]`` are returned, and the blocks whose dilation has reached the series length (which
    act on each timestamp alone) run on the window only: the hierarchical loss needs nothing else.

    Args:
        in_channels: channels of the input series (from the dataset).
        out_dim: representation width (default 320, as TS2Vec).
        hidden: width of the hidden blocks (default 64).
        depth: number of hidden blocks (default 10).
        kernel_size: convolution width (default 3).
        dropout: dropout on the output (default 0.1).
        output: ``"timestamps"`` (``[B, T, out_dim]``, NaN where nothing was observed) or ``"pooled"``
            (``[B, out_dim]``, max over observed timestamps, for objectives on whole-series embeddings).
    """

    def __init__(
        self,
        in_channels: int = 1,
        out_dim: int = 320,
        hidden: int = 64,
        depth: int = 10,
        kernel_size: int = 3,
        dropout: float = 0.1,
        output: str = "timestamps",
    ) -> None:
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {output!r}")
        self.in_channels = int(in_channels)
        self.out_dim = int(out_dim)
        self.output = output
        self.input_fc = nn.Linear(in_channels, hidden)
        widths = [hidden] * depth + [out_dim]
        self.blocks = nn.ModuleList(
            ConvBlock(widths[i - 1] if i > 0 else hidden, widths[i], kernel_size, dilation=2**i, final=i == len(widths) - 1)
            for i in range(len(widths))
        )
        self.repr_dropout = Dropout(dropout)

    def forward(self, inputs: Any) -> torch.Tensor:
        """Encode a batch (tensor ``[B, T, C]`` or :class:`SeriesView`) to per-timestamp or pooled features."""
        s = as_series(inputs, self.in_channels)
        window = inputs.window if isinstance(inputs, SeriesView) else None
        observed = s.observed
        h = self.input_fc(s.x).masked_fill(~s.input_mask().unsqueeze(-1), 0.0).transpose(1, 2)
        inside = s.inside.unsqueeze(1).to(h.dtype) if s.inside is not None else None
        for block in self.blocks:
            if window is not None and block.pointwise(h.shape[-1]):
                h, inside, observed = _cut(h, inside, observed, *window)
                window = None
            h = block(h, inside)
        if window is not None:
            h, inside, observed = _cut(h, inside, observed, *window)
        h = self.repr_dropout(h).transpose(1, 2)
        h = mark_missing(h, observed)
        return max_pool_time(h) if self.output == "pooled" else h

    def pool(self, h: torch.Tensor) -> torch.Tensor:
        """Max-pool per-timestamp features over observed time (TS2Vec's full-series encoding)."""
        return max_pool_time(h)


def _cut(
    h: torch.Tensor, inside: torch.Tensor | None, observed: torch.Tensor, starts: torch.Tensor, length: int
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """Keep ``length`` timestamps from ``starts[b]`` of ``h`` ``[B, C, T]`` and of its masks."""
    idx = starts.view(-1, 1) + torch.arange(length, device=h.device)
    h = h.gather(2, idx.unsqueeze(1).expand(-1, h.shape[1], -1))
    if inside is not None:
        inside = inside.gather(2, idx.unsqueeze(1))
    return h, inside, observed.gather(1, idx)
