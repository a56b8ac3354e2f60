"""Mixup (BYOL-A): each clip mixed with a little of another one, from the batch or from a memory of past clips."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from anyclr.core.views import Augmentation
from anyclr.plugins.audio.views.audio_augmentation import per_sample
from anyclr.plugins.audio.waves import SPECTROGRAM_DIMS, WAVE_DIMS


@dataclass
class MixDraw:
    """Each clip's mixing ratio ``[B]`` and the partner it is mixed with (same shape as the batch)."""

    ratio: torch.Tensor
    partner: torch.Tensor


class Mixup(Augmentation):
    """Mix each clip with a partner: ``(1 - λ) x + λ m`` on waveforms, and on normalised log-mel as BYOL-A does,
    in the exponential domain: ``log((1 - λ) exp(x) + λ exp(m))``. ``λ`` is uniform in ``[0, ratio]``.

    Partners come from a memory of the last ``memory`` clips this step has seen (BYOL-A keeps 2,048), or from
    the batch itself (another clip at random) while the memory is empty or with ``memory = 0``. The partner's
    padding counts as silence; the clip keeps its own length. Parameters: the ratios and the partners. The
    memory is filled by :meth:`apply` in training mode, so sampling twice draws the same partners.

    Args:
        ratio: largest share of the partner (default 0.4, BYOL-A's).
        memory: clips remembered across steps (default 0: partners from the batch).
    """

    def __init__(self, ratio: float = 0.4, memory: int = 0) -> None:
        super().__init__()
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f"mixup ratio must be in [0, 1], got {ratio}")
        if memory < 0:
            raise ValueError(f"memory must be 0 or more, got {memory}")
        self.ratio = float(ratio)
        self.memory = int(memory)
        self.bank: torch.Tensor | None = None
        self.filled = 0  # rows of the bank in use (a Python int: no device sync to read it)
        self.next_row = 0

    def check(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return the batch, a waveform or spectrogram batch."""
        if inputs.dim() not in (WAVE_DIMS, SPECTROGRAM_DIMS):
            raise ValueError(f"audio-mixup takes waveforms [B, C, T] or spectrograms [B, C, F, N], got {tuple(inputs.shape)}")
        return inputs

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> MixDraw:
        """Return each clip's ratio and partner."""
        x = self.check(inputs)
        b = x.shape[0]
        ratio = torch.rand(b, device=x.device, generator=generator) * self.ratio
        u = torch.rand(b, device=x.device, generator=generator)
        bank = self.bank
        if bank is not None and self.filled and bank.shape[1:] == x.shape[1:] and bank.device == x.device:
            partner = bank[(u * self.filled).long().clamp_max(self.filled - 1)]
        else:  # another clip of the batch (itself only in a batch of one)
            offset = 1 + (u * max(b - 1, 1)).long() if b > 1 else torch.zeros(b, dtype=torch.long, device=x.device)
            partner = x[(torch.arange(b, device=x.device) + offset) % b]
        return MixDraw(ratio, partner)

    def apply(self, inputs: torch.Tensor, params: MixDraw) -> torch.Tensor:
        """Return the mixtures (and remember the clips, in training mode)."""
        x = self.check(inputs)
        lam = per_sample(params.ratio, x)
        if x.dim() == SPECTROGRAM_DIMS:
            partner = torch.nan_to_num(params.partner, nan=float("-inf"))  # padding: silence, exp(-inf) = 0
            out = torch.logaddexp(x + torch.log1p(-lam), partner + torch.log(lam.clamp_min(1e-12)))
        else:
            out = (1 - lam) * x + lam * torch.nan_to_num(params.partner, nan=0.0)
        if self.training and self.memory:
            self.remember(x)
        return out

    @torch.no_grad()
    def remember(self, x: torch.Tensor) -> None:
        """Put the batch's clips in the memory, oldest out first (a batch of another shape starts it afresh)."""
        if self.bank is None or self.bank.shape[1:] != x.shape[1:] or self.bank.device != x.device:
            self.bank = x.new_empty((self.memory, *x.shape[1:]))
            self.filled = self.next_row = 0
        keep = x[-self.memory :].detach()
        rows = (torch.arange(keep.shape[0], device=x.device) + self.next_row) % self.memory
        self.bank[rows] = keep
        self.next_row = (self.next_row + keep.shape[0]) % self.memory
        self.filled = min(self.memory, self.filled + keep.shape[0])

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, memory={self.memory}"
