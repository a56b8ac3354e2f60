"""Registers the time-series components and recipes through the ``anyclr`` entry point (``timeseries``).

Factories are named by import string and imported on first use, so listing them imports neither torch
nor aeon (the bundled UCR/UEA sets are found by listing aeon's data folder).
"""

from __future__ import annotations

from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl
from anyclr.plugins.timeseries.datasets.bundled import BundledSet, bundled_names

MODALITY = "timeseries"
PACKAGE = "anyclr.plugins.timeseries"
RECIPES = Path(__file__).parent / "recipes"


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the time-series view generators."""
    views = f"{PACKAGE}.views"
    return [
        Component("timeseries-crops", f"{views}.contextual_crops:ContextualCrops", MODALITY, "TS2Vec: two overlapping random crops (contrasted on the overlap) + timestamp masks."),
        Component("timeseries-tstcc", f"{views}.tstcc:TSTCCViews", MODALITY, "TS-TCC: weak (scaling) and strong (permutation + jitter) views."),
        Component("timeseries-frequency", f"{views}.tfc:FrequencyViews", MODALITY, "TF-C: remove or add random Fourier components, back in the time domain."),
        Component("timeseries-slicewarp", f"{views}.slice_warp:SliceWarpViews", MODALITY, "Window slicing + window warping (Le Guennec et al. 2016)."),
    ]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the time-series augmentations (series [B, T, C] with NaN for missing values, or a SeriesView)."""
    return [
        Component("timeseries-jitter", "anyclr.plugins.timeseries.views.jitter:Jitter", MODALITY, "Add Gaussian noise to every value (TS-TCC's strong view)."),
        Component("timeseries-scaling", "anyclr.plugins.timeseries.views.scaling:Scaling", MODALITY, "Multiply by random factors per timestamp, shared by channels (TS-TCC's weak view)."),
        Component("timeseries-permutation", "anyclr.plugins.timeseries.views.permutation:Permutation", MODALITY, "Cut each series into random segments and shuffle them (TS-TCC)."),
        Component("timeseries-window-slice", "anyclr.plugins.timeseries.views.window_slice:WindowSlice", MODALITY, "A random window of each series, stretched back to its length."),
        Component("timeseries-window-warp", "anyclr.plugins.timeseries.views.window_warp:WindowWarp", MODALITY, "Speed a random window up or slow it down, keeping the length."),
        Component("timeseries-frequency-mask", "anyclr.plugins.timeseries.views.frequency_mask:FrequencyMask", MODALITY, "Remove random Fourier components (TF-C)."),
        Component("timeseries-frequency-add", "anyclr.plugins.timeseries.views.frequency_add:FrequencyAdd", MODALITY, "Raise the amplitude of random Fourier components (TF-C)."),
        Component("timeseries-timestamp-mask", "anyclr.plugins.timeseries.views.timestamp_mask:TimestampMask", MODALITY, "Hide random timestamps from the encoder after its input projection (TS2Vec)."),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the time-series encoders."""
    encoders = f"{PACKAGE}.encoders"
    return [
        Component("dilated-conv", f"{encoders}.dilated_conv:DilatedConvEncoder", MODALITY, "TS2Vec's encoder: input projection + 10 residual dilated-conv blocks (320-d)."),
        Component("resnet1d", f"{encoders}.resnet1d:ResNet1D", MODALITY, "1-D ResNet (Wang et al. 2017): 3 residual blocks of 8-5-3 convolutions."),
        Component("transformer1d", f"{encoders}.transformer:TransformerEncoder1D", MODALITY, "Transformer encoder over timestamps with a padding mask."),
    ]


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the time-series objectives."""
    return [
        Component(
            "hierarchical-contrastive", f"{PACKAGE}.objectives.hierarchical:HierarchicalContrastive", MODALITY,
            "TS2Vec: instance-wise + temporal InfoNCE on per-timestamp features, at every max-pool scale.",
        ),
    ]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the file and UCR/UEA readers, and each UCR/UEA set aeon bundles under its own name."""
    datasets = f"{PACKAGE}.datasets"
    return [
        Component("ucr", f"{datasets}.ucr:load_ucr", MODALITY, "Any UCR/UEA classification set by name (data.dataset); aeon's bundled copies or data.extract_path."),
        Component("digits-series", f"{datasets}.digits_series:digits_series", MODALITY, "sklearn's 8x8 digits as 64-step series (pixels row by row), split like the digits images."),
        Component("timeseries-file", f"{datasets}.files:load_file", MODALITY, "Series from a .ts, .arff, .tsv, .csv or .npy file (data.path, optional data.test_path)."),
        # BundledSet imports its reader only when called, so one per bundled set costs nothing to list.
        *[Component(name, BundledSet(name), MODALITY, f"UCR/UEA {name}, bundled with aeon.") for name in bundled_names()],
    ]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return the recipes in ``recipes/*.toml``."""
    return [Recipe(p.stem, p, MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
