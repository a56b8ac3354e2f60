"""Timestamp masks for TS2Vec's masking: which timestamps an encoder keeps after its input projection."""

from __future__ import annotations

import torch

MASKS = ("binomial", "continuous", "all_true")


def timestamp_mask(
    batch: int, length: int, mode: str = "binomial", p: float = 0.5, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Return a ``[batch, length]`` bool mask (True = keep), drawn per sample from torch's global RNG.

    ``binomial`` keeps each timestamp with probability ``p`` (TS2Vec's default, p 0.5); ``continuous``
    hides 5 spans of 10% of the length each (TS2Vec's alternative); ``all_true`` keeps everything.
    """
    if mode == "binomial":
        return torch.rand(batch, length, device=device) < p
    if mode == "continuous":
        span = max(int(0.1 * length), 1)
        n = max(min(5, length // 2), 1)
        starts = torch.randint(0, length - span + 1, (batch, n, 1), device=device)
        t = torch.arange(length, device=device)
        hidden = ((t >= starts) & (t < starts + span)).any(dim=1)
        return ~hidden
    if mode == "all_true":
        return torch.ones(batch, length, dtype=torch.bool, device=device)
    raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {mode!r}")
