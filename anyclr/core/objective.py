"""Objectives: losses together with any state they need (queues, momentum targets, prototypes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import torch
from torch import nn

from anyclr.core.errors import AnyclrError

VIEW_BATCHES = ("joint", "separate")
_view_batches: ContextVar[str] = ContextVar("view_batches", default="joint")


@contextmanager
def view_batches(mode: str) -> Iterator[None]:
    """Within this block, :func:`encode_views` encodes views as one batch (``joint``) or one by one (``separate``).

    The difference is BatchNorm's: ``joint`` (SimCLR's) normalises all views with one set of batch
    statistics, ``separate`` (as LightlySSL and solo-learn call their models) each view with its own.
    """
    check_view_batches(mode)
    token = _view_batches.set(mode)
    try:
        yield
    finally:
        _view_batches.reset(token)


def check_view_batches(mode: str) -> None:
    """Raise a clear error unless ``mode`` is one of :data:`VIEW_BATCHES`."""
    if mode not in VIEW_BATCHES:
        raise AnyclrError(
            f"trainer.view_batches = {mode!r} is not one of {', '.join(VIEW_BATCHES)}.",
            "joint encodes all views in one forward pass; separate, one pass per view (BatchNorm statistics per view).",
        )


def views_in_one_batch() -> bool:
    """Return True unless the caller asked for one forward pass per view (``view_batches("separate")``)."""
    return _view_batches.get() == "joint"


def encode_views(encoder: nn.Module, views: list[Any]) -> list[torch.Tensor]:
    """Encode each view; same-shaped tensor views go through the encoder as one batch unless told otherwise."""
    if (
        views_in_one_batch()
        and all(isinstance(v, torch.Tensor) for v in views)
        and len({tuple(v.shape) for v in views}) == 1
    ):
        z = encoder(torch.cat(views))
        return list(z.chunk(len(views)))
    return [encoder(v) for v in views]


def encode_streams(encoders: Any, views: dict[str, list[Any]]) -> list[torch.Tensor]:
    """Encode each stream's views with that stream's encoder; return the embeddings in stream order, then view order."""
    out: list[torch.Tensor] = []
    for name, stream_views in views.items():
        out += encode_views(encoders[name], stream_views)
    return out


def objective_streams(objective: nn.Module) -> tuple[int, int]:
    """Return how many input streams (one encoder each) an objective can train: ``(min, max)``.

    Objectives that only score embeddings take any number; those that encode the views themselves (momentum
    targets, predictors) train one encoder unless they say otherwise with ``max_streams``.
    """
    low = int(getattr(objective, "min_streams", 1))
    high = getattr(objective, "max_streams", None)
    if high is None:
        high = 1 if type(objective).training_step is not Objective.training_step else 64
    return low, int(high)


class Objective(nn.Module):
    """Base for objectives.

    The trainer calls :meth:`bind` once with the encoder (build target networks here), then, each step,
    :meth:`training_step` with the views, and :meth:`after_step` after the optimiser step (EMA updates,
    queue pushes). With paired data the views are ``{stream: [views]}`` and the encoder holds one encoder per
    stream; the base :meth:`training_step` encodes every stream with its own encoder and passes the embeddings,
    in stream order, to :meth:`forward` (so any loss on embeddings contrasts streams). Parameters and buffers of the objective (predictors, prototypes, queues) are trained,
    checkpointed and restored with the encoder. Simple losses only implement :meth:`forward`.
    """

    min_views: int = 2
    needs_labels: bool = False
    min_streams: int = 1  # input streams (one encoder each) the objective needs; CLIP and SigLIP need 2
    max_streams: int | None = None  # None: any number when it only scores embeddings, else 1 (see objective_streams)

    def bind(self, encoder: nn.Module) -> None:
        """Called once before training with the online encoder."""

    def check(self, views: list[Any], labels: torch.Tensor | None) -> None:
        """Raise a clear error for inputs this objective cannot use."""
        if len(views) < self.min_views:
            raise AnyclrError(
                f"{type(self).__name__} needs at least {self.min_views} views but got {len(views)}.",
                "Set views.n_views to 2 or more.",
            )
        sizes = {int(v.shape[0]) for v in views if isinstance(v, torch.Tensor) and v.dim() > 0}
        if sizes and min(sizes) < 2:
            raise AnyclrError(
                f"{type(self).__name__} needs a batch of at least 2 samples but got {min(sizes)}.",
                "Increase trainer.batch_size (and keep trainer.drop_last = true so no batch of one is left over).",
            )
        if self.needs_labels and (labels is None or bool((labels < 0).any())):
            raise AnyclrError(f"{type(self).__name__} needs labels, but the dataset has none (or some are missing).")

    def training_step(self, views: list[Any] | dict[str, list[Any]], encoder: nn.Module, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss for one batch of views (``{stream: views}`` with one encoder per stream for paired data)."""
        if isinstance(views, dict):
            z = encode_streams(encoder, views)
            self.check(z, labels)
            return self(z, labels)
        self.check(views, labels)
        return self(encode_views(encoder, views), labels)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Return the loss from the encoded views."""
        raise NotImplementedError

    def after_step(self, encoder: nn.Module, progress: float) -> None:
        """Called after each optimiser step; ``progress`` runs from 0 to 1 over training."""
