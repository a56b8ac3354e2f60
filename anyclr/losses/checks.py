"""Clear errors for settings and embeddings an objective cannot use (a temperature of 0, too few views, no labels …)."""

from __future__ import annotations

import math
import warnings

import torch

from anyclr.core.errors import AnyclrError

TINY_TEMPERATURE = 1e-3  # below this, logits (similarity / temperature) exceed 1000 and one pair dominates the loss


def check_temperature(value: float, key: str = "objective.temperature") -> float:
    """Return the softmax temperature ``value`` as a float; raise unless it is a positive number, warn if it is tiny.

    Every objective with a temperature calls this in its constructor, so ``--set objective.temperature=0``
    fails before training and ``1e-9`` (a loss near 1e8, gradients that swamp training) says so up front.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise AnyclrError(f"{key} must be a positive number, got {value!r}.", "Typical values are 0.05 to 0.5.")
    if value < TINY_TEMPERATURE:
        warnings.warn(
            f"{key} = {value:g} is tiny: similarities are divided by it, so logits reach {1 / value:.0e}, the loss "
            f"becomes huge and training is unstable. Typical values are 0.05 to 0.5.",
            UserWarning,
            stacklevel=3,
        )
    return float(value)


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
