"""Clear errors for embeddings an objective cannot use (too few views, batch of one, mismatched sizes, no labels)."""

from __future__ import annotations

import torch

from anyclr.core.errors import AnyclrError


def check_embeddings(z: list[torch.Tensor], owner: str, min_views: int = 2, min_batch: int = 2) -> None:
    """Raise an :class:`AnyclrError` unless ``z`` holds ``min_views`` or more ``[B, D]`` tensors of one shape."""
    if len(z) < min_views:
        raise AnyclrError(
            f"{owner} needs at least {min_views} views but got {len(z)}.",
            f"Set views.n_views = {min_views} (or more) in the recipe.",
        )
    for i, t in enumerate(z):
        if t.dim() != 2:
            raise AnyclrError(
                f"{owner} expects [batch, dim] embeddings but view {i} has shape {list(t.shape)}.",
                "Use a head that outputs one vector per sample (or a backbone with pool()).",
            )
    shapes = [list(t.shape) for t in z]
    if any(s != shapes[0] for s in shapes):
        raise AnyclrError(
            f"{owner} got views with mismatched embedding shapes: {shapes}.",
            "Every view must go through the same encoder and head.",
        )
    if shapes[0][0] < min_batch:
        raise AnyclrError(
            f"{owner} needs a batch of at least {min_batch} samples but got {shapes[0][0]}.",
            "Increase trainer.batch_size (and keep trainer.drop_last = true so no batch of one is left over).",
        )


def check_labels(labels: torch.Tensor | None, batch: int, owner: str) -> torch.Tensor:
    """Return ``labels`` as a 1-D long tensor, or raise if they are missing, unknown (-1) or the wrong length."""
    if labels is None:
        raise AnyclrError(f"{owner} needs labels, but none were given.", "Use a dataset with labels, or pick another objective.")
    labels = torch.as_tensor(labels).reshape(-1).long()
    if labels.numel() != batch:
        raise AnyclrError(f"{owner} got {labels.numel()} labels for a batch of {batch}.")
    if bool((labels < 0).any()):
        raise AnyclrError(
            f"{owner} needs a label for every sample, but {int((labels < 0).sum())} of {batch} are unknown (-1).",
            "Use a fully labelled dataset, or pick a self-supervised objective such as ntxent.",
        )
    return labels


def encodes_itself(owner: str) -> TypeError:
    """The error for calling ``objective(z)`` on an objective that needs the encoder (targets, predictors)."""
    return TypeError(f"{owner} encodes the views itself (momentum target / predictor): call training_step(views, encoder).")
