"""Apply a transform to the selected samples of a batch only."""

from __future__ import annotations

from collections.abc import Callable

import torch


def gathers_subsets(device: torch.device) -> bool:
    """Return whether sub-batch ops gather the selected samples (CPU) or mask the whole batch (accelerators)."""
    return device.type == "cpu"


def apply_to_selected(
    x: torch.Tensor,
    mask: torch.Tensor,
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    inplace: bool = False,
) -> torch.Tensor:
    """Return ``x`` with ``fn(x[idx], idx)`` written back at the samples where ``mask`` [B] is true.

    On CPU only the selected samples are computed, which is cheaper than the whole batch when few are
    selected (grayscale p 0.2, blur p 0.5). On accelerators ``fn`` runs on the whole batch (``idx`` = all)
    and ``torch.where`` picks, because finding the selected indices would stall the device queue (a host
    sync); ``fn`` must therefore accept unselected samples. ``inplace`` writes into ``x`` (for pipelines
    that own their intermediate tensors), saving a copy of the whole batch.
    """
    if not gathers_subsets(x.device):
        idx = torch.arange(x.shape[0], device=x.device)
        out = torch.where(mask.view(-1, *([1] * (x.dim() - 1))), fn(x, idx), x)
        return x.copy_(out) if inplace else out
    idx = mask.nonzero().squeeze(1)
    if idx.numel() == 0:
        return x
    if inplace:
        return x.index_copy_(0, idx, fn(x[idx], idx))
    return x.index_copy(0, idx, fn(x[idx], idx))
