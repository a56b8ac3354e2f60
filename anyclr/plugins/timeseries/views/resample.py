"""Linear interpolation of series at per-sample fractional positions (used by slicing and warping)."""

from __future__ import annotations

import torch


def observed_lengths(x: torch.Tensor) -> torch.Tensor:
    """Return ``[B]``: one past the last timestamp with an observed value (series are padded at the end)."""
    observed = ~torch.isnan(x).all(dim=-1)
    t = torch.arange(1, x.shape[1] + 1, device=x.device)
    return (observed * t).amax(dim=1).clamp_min(1)


def interpolate(x: torch.Tensor, pos: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Sample ``x`` ``[B, T, C]`` at positions ``pos`` ``[B, T]``; outputs past each series' length are NaN."""
    last = (lengths - 1).unsqueeze(1)
    pos = torch.minimum(pos.clamp_min(0), last.to(pos.dtype))
    lo = pos.floor().long()
    hi = torch.minimum(lo + 1, last)
    w = (pos - lo.to(pos.dtype)).unsqueeze(-1).to(x.dtype)
    c = x.shape[-1]
    a = x.gather(1, lo.unsqueeze(-1).expand(-1, -1, c))
    b = x.gather(1, hi.unsqueeze(-1).expand(-1, -1, c))
    out = torch.where(w > 0, a + w * (b - a), a)
    beyond = torch.arange(x.shape[1], device=x.device).unsqueeze(0) >= lengths.unsqueeze(1)
    return out.masked_fill(beyond.unsqueeze(-1), float("nan"))
