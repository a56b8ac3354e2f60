"""Registers the built-in heads (modality-agnostic) through the ``anyclr`` entry point."""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_heads() -> list[Component]:
    """Return the built-in heads."""
    from anyclr.heads.identity import IdentityHead
    from anyclr.heads.linear import LinearHead
    from anyclr.heads.mlp import MLP

    return [
        Component("mlp", MLP, summary="MLP projector: Linear-BN-ReLU blocks then Linear (SimCLR, BYOL, SimSiam)."),
        Component("linear", LinearHead, summary="A single Linear projection."),
        Component("identity", IdentityHead, summary="No projection: the objective sees the backbone features."),
    ]
