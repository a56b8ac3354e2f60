"""Looking categorical codes up in a fitted vocabulary (sorted known codes and their embedding rows)."""

from __future__ import annotations

import torch


def lookup(codes: torch.Tensor, known: torch.Tensor, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(row, seen)`` for every code: its embedding row (0 = unknown or rare) and whether training had it.

    ``known`` holds the codes seen in training, sorted; ``rows`` the row of each (0 for values rarer than
    ``min_count``).
    """
    if known.numel() == 0:
        zeros = torch.zeros_like(codes)
        return zeros, zeros.bool()
    position = torch.searchsorted(known, codes.contiguous()).clamp_max(known.numel() - 1)
    seen = known[position] == codes
    return torch.where(seen, rows[position], torch.zeros_like(position)), seen
