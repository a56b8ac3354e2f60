"""TS2Vec's hierarchical contrastive loss: instance-wise + temporal InfoNCE at every max-pool scale."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import Objective, views_in_one_batch
from anyclr.losses import (
    all_sizes,
    full_precision,
    gather_batch,
    gather_no_grad,
    is_distributed,
    multi_positive_nce,
    pair_columns,
    share_of_mean,
)
from anyclr.plugins.timeseries.series import SeriesView, observed_mask


def _share(total: torch.Tensor, count: int) -> torch.Tensor:
    """This rank's share of the mean over all ranks' ``count`` terms; zero (keeping the graph) when there are none.

    Every rank makes the same collectives whichever path it took, so ranks with and without masks agree.
    """
    if sum(all_sizes(count, total.device)) == 0:
        return total * 0.0
    return share_of_mean(total, count)


def _twin_nce(
    anchors: torch.Tensor,
    candidates: torch.Tensor,
    local: int,
    offset: int,
    anchor_valid: torch.Tensor | None,
    candidate_valid: torch.Tensor | None,
) -> torch.Tensor:
    """Mean InfoNCE of groups of two stacked views: anchors ``[G, 2L, C]`` against candidates ``[G, 2M, C]``.

    Row ``v*L + i`` holds view ``v`` of item ``i`` (column ``v*M + offset + i`` among the candidates); its
    positive is the same item in the other view, its negatives every other candidate of the group. Logits
    are raw dot products, as in TS2Vec. ``*_valid`` ``[G, 2L]`` / ``[G, 2M]`` leave rows out as anchors and
    as negatives; an anchor needs its positive and at least one negative, so groups with fewer than 3 valid
    candidates add nothing.
    """
    self_index, positives = pair_columns(2, local, candidates.shape[-2] // 2, offset, anchors.device)
    per_anchor = multi_positive_nce(anchors, candidates, self_index, positives, 1.0, candidate_valid)
    if candidate_valid is None:
        return _share(per_anchor.sum(), per_anchor.numel())
    kept = (candidate_valid.sum(dim=-1, keepdim=True) > 2).expand_as(per_anchor)
    if anchor_valid is not None:
        kept = kept & anchor_valid
    per_anchor = torch.where(kept, per_anchor, torch.zeros_like(per_anchor))
    return _share(per_anchor.sum(), int(kept.sum()))


def _both(valid: torch.Tensor | None, dim: int, time_first: bool = False) -> torch.Tensor | None:
    """The mask ``[B, T]`` of two views stacked along ``dim`` (the same for both), transposed with ``time_first``."""
    if valid is None:
        return None
    both = torch.cat([valid, valid], dim=dim)
    return both.T if time_first else both


def instance_contrastive_loss(z1: torch.Tensor, z2: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """Contrast each series with the other series of the (global) batch at the same timestamp (``[B, T, C]`` views)."""
    b = z1.shape[0]
    anchors = torch.cat([z1, z2], dim=0).transpose(0, 1)  # T x 2B x C
    candidates, offset, everywhere = anchors, 0, valid
    if is_distributed():  # negatives from every rank; every rank gathers a mask, so the collectives match
        full, offset = gather_batch(torch.cat([z1, z2], dim=-1))  # one collective for both views
        candidates = torch.cat(full.chunk(2, dim=-1), dim=0).transpose(0, 1)
        mask = valid if valid is not None else torch.ones(z1.shape[:2], dtype=torch.bool, device=z1.device)
        everywhere = gather_no_grad(mask.to(torch.uint8)).bool()
        if bool(everywhere.all()):  # the same answer on every rank
            everywhere = None
    if candidates.shape[1] == 2:  # one series in the whole batch: no negatives
        return z1.new_zeros(())
    return _twin_nce(anchors, candidates, b, offset, _both(valid, 0, time_first=True), _both(everywhere, 0, time_first=True))


def temporal_contrastive_loss(z1: torch.Tensor, z2: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """Contrast each timestamp with the other timestamps of the same series (``[B, T, C]`` views)."""
    t = z1.shape[1]
    if t == 1:
        return z1.new_zeros(())
    z = torch.cat([z1, z2], dim=1)  # B x 2T x C
    v = _both(valid, 1)
    return _twin_nce(z, z, t, 0, v, v)


def _halve(z: torch.Tensor, valid: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Max-pool time by 2 (an odd last step is dropped); masked steps never win, and stay masked if both are."""
    t = z.shape[1] // 2 * 2
    if valid is None:
        return torch.maximum(z[:, 0:t:2], z[:, 1:t:2]), None
    low = torch.finfo(z.dtype).min
    filled = z.masked_fill(~valid.unsqueeze(-1), low)
    pooled = torch.maximum(filled[:, 0:t:2], filled[:, 1:t:2])
    v = valid[:, 0:t:2] | valid[:, 1:t:2]
    return pooled.masked_fill(~v.unsqueeze(-1), 0.0), v


def hierarchical_contrastive_loss(
    z1: torch.Tensor,
    z2: torch.Tensor,
    alpha: float = 0.5,
    temporal_unit: int = 0,
    valid: torch.Tensor | None = None,
) -> torch.Tensor:
    """TS2Vec's loss on two aligned views ``[B, T, C]``: mean over scales of ``alpha`` x instance + ``1-alpha`` x temporal.

    Scales halve time by max-pooling until one step is left; the temporal term starts at scale
    ``temporal_unit``. ``valid`` ``[B, T]`` (the same for both views) masks timestamps out of every term.
    """
    if valid is not None:
        z1 = z1.masked_fill(~valid.unsqueeze(-1), 0.0)
        z2 = z2.masked_fill(~valid.unsqueeze(-1), 0.0)
    loss = z1.new_zeros(())
    d = 0
    while z1.shape[1] > 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, valid)
        if d >= temporal_unit and 1 - alpha != 0:
            loss = loss + (1 - alpha) * temporal_contrastive_loss(z1, z2, valid)
        d += 1
        z1, v1 = _halve(z1, valid)
        z2, _ = _halve(z2, valid)
        valid = v1
    if alpha != 0:
        loss = loss + alpha * instance_contrastive_loss(z1, z2, valid)
    d += 1
    return loss / d


AVERAGES = ("swa", "none")


class HierarchicalContrastive(Objective):
    """TS2Vec's hierarchical contrastive objective (Yue et al. 2022, arXiv 2106.10466).

    Each view is encoded per timestamp (``encoder(view)`` -> ``[B, T, D]``); the two views' common
    timestamps (the crop overlap that ``timeseries-crops`` views carry as ``overlap``, or the whole
    series for views of equal length) are contrasted with :func:`hierarchical_contrastive_loss`.
    Timestamps that were not observed (NaN outputs) are masked out. Across processes the instance-wise
    negatives come from every rank (gathered with gradient; each rank's crop overlap is padded to the
    longest as unobserved, since ranks draw their own crops) and each rank returns its share of the
    global means, so the averaged gradients are those of one process on the whole batch.

    Both views go through the encoder as one batch, the shorter padded at the end with NaN: this
    plug-in's encoders re-zero end padding after every layer, so that is exact, and it halves the
    number of (small) operations per step; the batch asks the encoder for the overlap only (``window``).
    With ``average = "swa"`` (the default) the objective keeps the running mean of the encoder's weights
    over all steps (from the initial ones) and loads it into the encoder after the last step, as
    TS2Vec does (it evaluates ``torch.optim.swa_utils.AveragedModel``): the last weights of a short
    run at a constant learning rate swing from step to step, their mean does not.

    Args:
        alpha: weight of the instance-wise term (``1 - alpha`` for the temporal term; default 0.5).
        temporal_unit: the first scale with a temporal term (default 0: all scales).
        average: ``swa`` (default: the mean of the weights after each step) or ``none`` (the last weights).
        average_from: with ``swa``, the share of training after which steps are averaged (default 0:
            every step and the initial weights, as TS2Vec; 0.5 averages the second half).
        joint: encode both views in one batch (default true; turn off for encoders whose outputs
            depend on end padding, e.g. BatchNorm statistics in training mode; ``trainer.view_batches =
            "separate"`` turns it off too).

    Example::

        loss = HierarchicalContrastive().training_step(crops(x), encoder)
    """

    def __init__(
        self, alpha: float = 0.5, temporal_unit: int = 0, average: str = "swa", average_from: float = 0.0, joint: bool = True
    ) -> None:
        super().__init__()
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        if average not in AVERAGES:
            raise ValueError(f"average must be one of {', '.join(AVERAGES)}, got {average!r}")
        self.alpha = float(alpha)
        self.temporal_unit = int(temporal_unit)
        if not 0.0 <= average_from < 1.0:
            raise ValueError(f"average_from must be in [0, 1), got {average_from}")
        self.average = average
        self.average_from = float(average_from)
        self.joint = bool(joint)
        self._averaged: list[nn.Parameter] = []

    # -- weight averaging -------------------------------------------------------------------------------------------

    def bind(self, encoder: nn.Module) -> None:
        """Start the running mean of the encoder's weights from their initial values (``average = "swa"``)."""
        if self.average != "swa":
            return
        self._averaged = [p for p in encoder.parameters() if p.requires_grad]
        flat = torch.cat([p.detach().reshape(-1) for p in self._averaged]) if self._averaged else torch.zeros(0)
        self.register_buffer("swa_weights", flat.clone())
        # TS2Vec's AveragedModel starts from the initial weights; a later start begins with the first step.
        self.register_buffer("swa_count", torch.full((), 1 if self.average_from == 0 else 0, dtype=torch.long))

    def _average_views(self) -> list[torch.Tensor]:
        sizes = [p.numel() for p in self._averaged]
        return [v.view_as(p) for v, p in zip(self.swa_weights.split(sizes), self._averaged, strict=True)]

    @torch.no_grad()
    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Fold the new weights into the running mean; after the last step, load the mean into the encoder."""
        if self.average != "swa" or not self._averaged or progress <= self.average_from:
            return
        self.swa_count += 1
        means = self._average_views()
        torch._foreach_lerp_(means, [p.detach() for p in self._averaged], 1.0 / float(self.swa_count))
        if progress >= 1.0:
            torch._foreach_copy_([p.data for p in self._averaged], means)

    # -- the loss ---------------------------------------------------------------------------------------------------

    def training_step(self, views: list[Any], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Encode both views per timestamp and return the hierarchical loss on their overlap."""
        self.check(views, labels)
        if len(views) != 2:
            raise AnyclrError(f"hierarchical-contrastive takes exactly 2 views, got {len(views)}.", "Set views.n_views=2.")
        if self.joint and views_in_one_batch():
            return self(_encode_jointly(encoder, views), labels)
        return self([_overlap(encoder(v), v) for v in views], labels)

    # Raw dot products of 320-d features reach the hundreds: bf16 logits would be too coarse.
    @full_precision
    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss for two aligned per-timestamp encodings ``[B, T, D]`` (NaN = not observed)."""
        z1, z2 = z
        if z1.dim() != 3 or z1.shape != z2.shape:
            raise AnyclrError(
                f"hierarchical-contrastive needs two per-timestamp encodings of equal shape [B, T, D], got "
                f"{tuple(z1.shape)} and {tuple(z2.shape)}.",
                "Use a time-series encoder with output = \"timestamps\" and the identity head.",
            )
        if is_distributed():  # ranks draw their own crops: pad every rank's overlap to the longest, as unobserved
            longest = max(all_sizes(z1.shape[1], z1.device))
            z1, z2 = (F.pad(x, (0, 0, 0, longest - x.shape[1]), value=float("nan")) for x in (z1, z2))
        valid = observed_mask(z1) & observed_mask(z2)
        if bool(valid.all()):
            valid = None
        return hierarchical_contrastive_loss(z1, z2, self.alpha, self.temporal_unit, valid)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, temporal_unit={self.temporal_unit}, average={self.average!r}, joint={self.joint}"


def _series(view: Any) -> torch.Tensor:
    x = view.x if isinstance(view, SeriesView) else view
    return x.unsqueeze(-1) if x.dim() == 2 else x


# Above this share of padded timestamps, the views go through the encoder one by one instead (on CPU the
# padding is paid in full; in one batch, the small ops are half as many). TS2Vec's crops pad 10% on average.
PADDING_LIMIT = 0.15


def _encode_jointly(encoder: nn.Module, views: list[Any]) -> list[torch.Tensor]:
    """Encode the views as one batch (shorter ones padded at the end with NaN); return their overlaps.

    The batch asks for the overlap only (``window``); an encoder that ignores that returns every
    timestamp, and the overlaps are cut here. Views whose lengths differ too much are encoded one by one.
    """
    xs = [_series(v) for v in views]
    overlaps = [v.overlap if isinstance(v, SeriesView) and v.overlap is not None else (0, x.shape[1]) for v, x in zip(views, xs, strict=True)]
    length = max(x.shape[1] for x in xs)
    size = overlaps[0][1]
    windowed = all(n == size for _, n in overlaps)
    padded = 1.0 - sum(x.shape[1] for x in xs) / (length * len(xs))
    if padded > PADDING_LIMIT and windowed:
        return [_encode_window(encoder, v, x, s, n) for v, x, (s, n) in zip(views, xs, overlaps, strict=True)]
    batch = SeriesView(torch.cat([F.pad(x, (0, 0, 0, length - x.shape[1]), value=float("nan")) for x in xs]))
    keeps = [v.keep if isinstance(v, SeriesView) else None for v in views]
    if any(k is not None for k in keeps):
        keeps = [k if k is not None else torch.ones(x.shape[:2], dtype=torch.bool, device=x.device) for k, x in zip(keeps, xs, strict=True)]
        batch.keep = torch.cat([F.pad(k, (0, length - k.shape[1]), value=True) for k in keeps])
    if windowed:
        starts = torch.cat([torch.full((x.shape[0],), s, dtype=torch.long, device=x.device) for (s, _), x in zip(overlaps, xs, strict=True)])
        batch.window = (starts, size)
    h = encoder(batch).split([x.shape[0] for x in xs])
    if h[0].shape[1] == size:
        return list(h)
    return [p[:, s : s + n] for p, (s, n) in zip(h, overlaps, strict=True)]


def _encode_window(encoder: nn.Module, view: Any, x: torch.Tensor, start: int, size: int) -> torch.Tensor:
    """Encode one view, asking the encoder for its overlap ``[start, start + size)`` only."""
    batch = SeriesView(x, window=(torch.full((x.shape[0],), start, dtype=torch.long, device=x.device), size))
    if isinstance(view, SeriesView) and view.keep is not None:
        batch.keep = view.keep
    h = encoder(batch)
    return h if h.shape[1] == size else h[:, start : start + size]


def _overlap(h: torch.Tensor, view: Any) -> torch.Tensor:
    """Cut a view's encoding to the timestamps it shares with the other view."""
    if isinstance(view, SeriesView) and view.overlap is not None:
        start, length = view.overlap
        return h[:, start : start + length]
    return h
