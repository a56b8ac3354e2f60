"""Stack a list of view embeddings and gather them from every rank, keeping track of this rank's rows."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from anyclr.core.distributed import gather_batch


@dataclass
class GatheredViews:
    """This rank's views ``[V, B, D]``, all ranks' views ``[V, M, D]``, and where this rank's ``B`` rows start in ``M``."""

    local: torch.Tensor
    full: torch.Tensor
    offset: int

    @property
    def n_views(self) -> int:
        """Number of views ``V``."""
        return self.local.shape[0]

    @property
    def local_batch(self) -> int:
        """Samples on this rank ``B``."""
        return self.local.shape[1]

    @property
    def global_batch(self) -> int:
        """Samples on all ranks ``M``."""
        return self.full.shape[1]


def gather_views(z: list[torch.Tensor], normalize: bool = True) -> GatheredViews:
    """Stack views (L2-normalised unless told otherwise) and gather them across ranks with gradient."""
    local = torch.stack(z, dim=0)
    if normalize:
        local = F.normalize(local, dim=-1)
    # One collective for all views: gather [B, V, D] along the batch, then put views first again.
    full, offset = gather_batch(local.transpose(0, 1))
    return GatheredViews(local, full.transpose(0, 1), offset)


def view_pairs(g: GatheredViews) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(self_index [V*B], positives [V*B, V-1])``: each anchor's own column and its other views' columns.

    Anchors are this rank's ``g.local.reshape(V*B, D)`` (row ``v*B + i``); candidates are all ranks'
    ``g.full.reshape(V*M, D)`` (column ``w*M + j`` is view ``w`` of global sample ``j``).
    """
    return pair_columns(g.n_views, g.local_batch, g.global_batch, g.offset, g.local.device)


def pair_columns(
    n_views: int, local_batch: int, global_batch: int, offset: int = 0, device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`view_pairs` from the sizes alone: ``V`` views of ``B`` local rows among ``M`` global rows from ``offset``."""
    v, b, m = n_views, local_batch, global_batch
    view = torch.arange(v, device=device)[:, None]
    sample = torch.arange(b, device=device)[None, :] + offset
    self_index = (view * m + sample).reshape(-1)
    rest = torch.arange(v - 1, device=device)[None, :]
    others = rest + (rest >= view).long()  # the views other than v, in order; built on the device (no copy, no sync)
    positives = (others[:, None, :] * m + sample[..., None]).reshape(v * b, v - 1)
    return self_index, positives


def anchor_index(g: GatheredViews) -> tuple[torch.Tensor, torch.Tensor]:
    """Return, for this rank's anchors (row ``v*B + i``), the global sample index and view of each."""
    v, b = g.n_views, g.local_batch
    device = g.local.device
    sample = (torch.arange(b, device=device) + g.offset).repeat(v)
    view = torch.arange(v, device=device).repeat_interleave(b)
    return sample, view


def gather_each(z: list[torch.Tensor]) -> list[torch.Tensor]:
    """Gather each view across ranks with gradient, as it is (no stacking or normalising; nothing copied on one process)."""
    return [gather_batch(x)[0] for x in z]
