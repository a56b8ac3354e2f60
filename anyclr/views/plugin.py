"""Registers the modality-agnostic view generators through the ``anyclr`` entry point (``views``).

Factories are named by import string and imported on first use, so listing them imports no torch.
"""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the generic view generators."""
    return [
        Component(
            "compose", "anyclr.views.compose:compose",
            summary="Augmentation components applied in order, by name from the recipe (views.augmentations).",
        ),
    ]
