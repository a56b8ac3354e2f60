"""Hooks that register this plug-in's components and recipes with anyclr.

Imports of the component modules happen inside the hooks, so listing plug-ins stays fast.
"""

from __future__ import annotations

from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

RECIPES = Path(__file__).parent / "recipes"
MODALITY = "image"  # the modality of this plug-in's recipes (shown by `anyclr recipes --modality`)


@hookimpl
def anyclr_views() -> list[Component]:
    """Return this plug-in's view generators."""
    from anyclr_example_plugin.noise_erase import NoiseErase

    return [Component("example-noise", NoiseErase, summary="Gaussian noise plus a random erased box, on any tensor batch.")]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return this plug-in's backbones."""
    from anyclr_example_plugin.mlp_backbone import MLPBackbone

    return [Component("example-mlp", MLPBackbone, modality="image", summary="MLP on flattened images.")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return one recipe per TOML file in recipes/ (adding a file adds a recipe)."""
    return [Recipe(path.stem, path, modality=MODALITY) for path in sorted(RECIPES.glob("*.toml"))]
