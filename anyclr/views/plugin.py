"""Registers the modality-agnostic view generators through the ``anyclr`` entry point (``views``)."""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the generic view generators."""
    from anyclr.views.compose import compose

    return [
        Component("compose", compose, summary="Augmentation components applied in order, by name from the recipe (views.augmentations)."),
    ]
