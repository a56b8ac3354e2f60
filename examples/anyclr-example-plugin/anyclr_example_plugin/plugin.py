"""Hooks that register this plug-in's components and recipes with anyclr.

Each factory is named by an import string ("package.module:Name"): anyclr imports it on first use, and
lists its parameters and docstring by reading the source, so `anyclr plugins`, `anyclr components` and
`anyclr recipes` stay fast (no torch import). Keep this module free of heavy imports.
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
    return [
        Component(
            "example-noise", "anyclr_example_plugin.noise_erase:NoiseErase",
            summary="Gaussian noise plus a random erased box, on any tensor batch.",
        )
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return this plug-in's backbones."""
    return [Component("example-mlp", "anyclr_example_plugin.mlp_backbone:MLPBackbone", modality="image", summary="MLP on flattened images.")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return one recipe per TOML file in recipes/ (adding a file adds a recipe)."""
    return [Recipe(path.stem, path, modality=MODALITY) for path in sorted(RECIPES.glob("*.toml"))]
