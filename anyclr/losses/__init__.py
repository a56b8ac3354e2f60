"""The parts every anyclr objective is built from — built-in, plug-in or third-party. Import them from here.

Each part is written once, tested once against plain autograd, and correct across processes; an
objective composes them and states its formula. The usual shape of a contrastive ``forward``::

    from anyclr.core.objective import Objective
    from anyclr.losses import check_embeddings, full_precision, gather_views, multi_positive_nce, share_of_mean, view_pairs

    class MyNTXent(Objective):
        @full_precision                                  # float32 (or wider) and autocast off, whatever the encoder ran in
        def forward(self, z, labels=None):
            check_embeddings(z, "my-ntxent")             # clear errors for too few views, a batch of one, bad shapes
            g = gather_views(z)                          # L2-normalised, [V, B, D] local and [V, M, D] from all ranks, with gradient
            self_index, positives = view_pairs(g)        # each anchor's own column and its other views' columns
            per_anchor = multi_positive_nce(g.local.flatten(0, 1), g.full.flatten(0, 1), self_index, positives, 0.2)
            return share_of_mean(per_anchor.sum(), per_anchor.numel())   # this rank's share of the global mean

Precision
    :func:`full_precision` (decorates ``forward(self, z, labels)``), :func:`float32_region` (a block
    without autocast) and :func:`upcast` (half-precision tensors to float32).
Checks
    :func:`check_embeddings`, :func:`check_labels`, :func:`check_temperature`, :func:`encodes_itself` — errors a user can act on.
Layout and gathering (with gradient: the gradient of a gathered row flows back to the rank it came from)
    :func:`gather_views` (stack, L2-normalise, gather once), :class:`GatheredViews`, :func:`view_pairs`
    and :func:`pair_columns` (anchor and positive columns), :func:`anchor_index`, :func:`gather_each`;
    from the core: :func:`gather_with_grad`, :func:`gather_batch` (also returns this rank's offset),
    :func:`gather_no_grad` (keys, labels, masks), :func:`share_of_mean` (turn this rank's sum into its
    share of the global mean, so that rank-averaged gradients equal one process's), :func:`all_sizes`
    (every rank's count) and :func:`is_distributed`.
Contrastive losses (hand-written backward passes: one ``[A, M]`` matrix kept, float32 or wider logits)
    :func:`multi_positive_nce` — InfoNCE / NT-Xent with one or several positives per anchor, optionally
    per group (``[G, A, D]``, e.g. one group per timestamp) and with candidates masked out;
    :func:`masked_logsumexp` — the denominator alone, with chosen columns left out (losses that
    decouple the positive: DCL, GraphCL, SimGRACE);
    :func:`key_queue_nce` — MoCo's query/key form with shared negatives from a queue.
Non-contrastive and clustering parts
    :func:`cosine_to_targets` (BYOL, SimSiam), :func:`sinkhorn` and :func:`linear_soft_cross_entropy` (SwAV).
State
    :class:`EMATarget` and :func:`cosine_momentum` (momentum targets), :func:`unwrap`, :class:`Queue`,
    :func:`make_predictor`, :func:`match_sync_batchnorm`, :func:`predict`.
"""

from anyclr.core.distributed import (
    all_sizes,
    gather_batch,
    gather_no_grad,
    gather_with_grad,
    is_distributed,
    share_of_mean,
)
from anyclr.losses.checks import check_embeddings, check_labels, check_temperature, encodes_itself
from anyclr.losses.cosine import cosine_to_targets
from anyclr.losses.ema import EMATarget, cosine_momentum, unwrap
from anyclr.losses.infonce import key_queue_nce, masked_logsumexp, multi_positive_nce
from anyclr.losses.layout import GatheredViews, anchor_index, gather_each, gather_views, pair_columns, view_pairs
from anyclr.losses.precision import float32_region, full_precision, upcast
from anyclr.losses.predictor import make_predictor, match_sync_batchnorm, predict
from anyclr.losses.queue import Queue
from anyclr.losses.sinkhorn import sinkhorn
from anyclr.losses.soft_cross_entropy import linear_soft_cross_entropy

__all__ = [
    "EMATarget",
    "GatheredViews",
    "Queue",
    "all_sizes",
    "anchor_index",
    "check_embeddings",
    "check_temperature",
    "check_labels",
    "cosine_momentum",
    "cosine_to_targets",
    "encodes_itself",
    "float32_region",
    "full_precision",
    "gather_batch",
    "gather_each",
    "gather_no_grad",
    "gather_views",
    "gather_with_grad",
    "is_distributed",
    "key_queue_nce",
    "linear_soft_cross_entropy",
    "make_predictor",
    "masked_logsumexp",
    "match_sync_batchnorm",
    "multi_positive_nce",
    "pair_columns",
    "predict",
    "share_of_mean",
    "sinkhorn",
    "unwrap",
    "upcast",
    "view_pairs",
]
