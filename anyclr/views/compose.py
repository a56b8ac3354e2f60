"""The generic view generator: augmentation components composed by name from the recipe."""

from __future__ import annotations

from collections.abc import Sequence

from anyclr.core.views import Compose, Step


def compose(augmentations: Sequence[Step] | Sequence[Sequence[Step]] = (), n_views: int = 2) -> Compose:
    """Views from a list of augmentation tables (one pipeline for every view, or a list of lists: one per view).

    In a recipe::

        [views]
        name = "compose"
        augmentations = [{name = "image-resized-crop", scale = [0.2, 1.0]}, {name = "image-flip", p = 0.5}]

    Each table names an augmentation component (``anyclr components --kind augmentation``) and sets its
    parameters; ``share = "key"`` reuses the parameters that another stream's augmentation with the same key
    drew in the same step (paired streams).
    """
    steps = list(augmentations)
    pipelines = [list(p) for p in steps] if steps and all(isinstance(p, (list, tuple)) for p in steps) else [steps]
    return Compose(pipelines, n_views)
