"""Registers the built-in heads (modality-agnostic) through the ``anyclr`` entry point (``heads``).

Factories are named by import string and imported on first use, so listing them imports no torch.
"""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_heads() -> list[Component]:
    """Return the built-in heads."""
    return [
        Component("mlp", "anyclr.heads.mlp:MLP", summary="MLP projector: Linear-BN-ReLU blocks then Linear (SimCLR, BYOL, SimSiam)."),
        Component("linear", "anyclr.heads.linear:LinearHead", summary="A single Linear projection."),
        Component("identity", "anyclr.heads.identity:IdentityHead", summary="No projection: the objective sees the backbone features."),
    ]
