"""Apply a transform to the selected samples of a batch only."""

from __future__ import annotations

from collections.abc import Callable

import torch


def apply_to_selected(
    x: torch.Tensor, mask: torch.Tensor, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
) -> torch.Tensor:
    """Return ``x`` with ``fn(x[idx], idx)`` written back at the samples where ``mask`` [B] is true.

    Cheaper than computing ``fn`` on the whole batch and masking with ``torch.where`` when few samples are
    selected (grayscale p 0.2, blur p 0.5), which is the common case.
    """
    idx = mask.nonzero().squeeze(1)
    if idx.numel() == 0:
        return x
    return x.index_copy(0, idx, fn(x[idx], idx))
