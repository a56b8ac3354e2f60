"""Registers the time-series components and recipes through the ``anyclr`` entry point."""

from __future__ import annotations

from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

MODALITY = "timeseries"
RECIPES = Path(__file__).parent / "recipes"


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the time-series view generators."""
    from anyclr.plugins.timeseries.views.contextual_crops import ContextualCrops
    from anyclr.plugins.timeseries.views.slice_warp import SliceWarpViews
    from anyclr.plugins.timeseries.views.tfc import FrequencyViews
    from anyclr.plugins.timeseries.views.tstcc import TSTCCViews

    return [
        Component("timeseries-crops", ContextualCrops, MODALITY, "TS2Vec: two overlapping random crops (contrasted on the overlap) + timestamp masks."),
        Component("timeseries-tstcc", TSTCCViews, MODALITY, "TS-TCC: weak (scaling) and strong (permutation + jitter) views."),
        Component("timeseries-frequency", FrequencyViews, MODALITY, "TF-C: remove or add random Fourier components, back in the time domain."),
        Component("timeseries-slicewarp", SliceWarpViews, MODALITY, "Window slicing + window warping (Le Guennec et al. 2016)."),
    ]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the time-series augmentations (series [B, T, C] with NaN for missing values, or a SeriesView)."""
    from anyclr.plugins.timeseries.views.frequency_add import FrequencyAdd
    from anyclr.plugins.timeseries.views.frequency_mask import FrequencyMask
    from anyclr.plugins.timeseries.views.jitter import Jitter
    from anyclr.plugins.timeseries.views.permutation import Permutation
    from anyclr.plugins.timeseries.views.scaling import Scaling
    from anyclr.plugins.timeseries.views.timestamp_mask import TimestampMask
    from anyclr.plugins.timeseries.views.window_slice import WindowSlice
    from anyclr.plugins.timeseries.views.window_warp import WindowWarp

    return [
        Component("timeseries-jitter", Jitter, MODALITY, "Add Gaussian noise to every value (TS-TCC's strong view)."),
        Component("timeseries-scaling", Scaling, MODALITY, "Multiply by random factors per timestamp, shared by channels (TS-TCC's weak view)."),
        Component("timeseries-permutation", Permutation, MODALITY, "Cut each series into random segments and shuffle them (TS-TCC)."),
        Component("timeseries-window-slice", WindowSlice, MODALITY, "A random window of each series, stretched back to its length."),
        Component("timeseries-window-warp", WindowWarp, MODALITY, "Speed a random window up or slow it down, keeping the length."),
        Component("timeseries-frequency-mask", FrequencyMask, MODALITY, "Remove random Fourier components (TF-C)."),
        Component("timeseries-frequency-add", FrequencyAdd, MODALITY, "Raise the amplitude of random Fourier components (TF-C)."),
        Component("timeseries-timestamp-mask", TimestampMask, MODALITY, "Hide random timestamps from the encoder after its input projection (TS2Vec)."),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the time-series encoders."""
    from anyclr.plugins.timeseries.encoders.dilated_conv import DilatedConvEncoder
    from anyclr.plugins.timeseries.encoders.resnet1d import ResNet1D
    from anyclr.plugins.timeseries.encoders.transformer import TransformerEncoder1D

    return [
        Component("dilated-conv", DilatedConvEncoder, MODALITY, "TS2Vec's encoder: input projection + 10 residual dilated-conv blocks (320-d)."),
        Component("resnet1d", ResNet1D, MODALITY, "1-D ResNet (Wang et al. 2017): 3 residual blocks of 8-5-3 convolutions."),
        Component("transformer1d", TransformerEncoder1D, MODALITY, "Transformer encoder over timestamps with a padding mask."),
    ]


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the time-series objectives."""
    from anyclr.plugins.timeseries.objectives.hierarchical import HierarchicalContrastive

    return [
        Component(
            "hierarchical-contrastive", HierarchicalContrastive, MODALITY,
            "TS2Vec: instance-wise + temporal InfoNCE on per-timestamp features, at every max-pool scale.",
        ),
    ]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the file and UCR/UEA readers, and each UCR/UEA set aeon bundles under its own name."""
    from anyclr.plugins.timeseries.datasets.bundled import bundled_names
    from anyclr.plugins.timeseries.datasets.digits_series import digits_series
    from anyclr.plugins.timeseries.datasets.files import load_file
    from anyclr.plugins.timeseries.datasets.ucr import BundledSet, load_ucr

    return [
        Component("ucr", load_ucr, MODALITY, "Any UCR/UEA classification set by name (data.dataset); aeon's bundled copies or data.extract_path."),
        Component("digits-series", digits_series, MODALITY, "sklearn's 8x8 digits as 64-step series (pixels row by row), split like the digits images."),
        Component("timeseries-file", load_file, MODALITY, "Series from a .ts, .arff, .tsv, .csv or .npy file (data.path, optional data.test_path)."),
        *[Component(name, BundledSet(name), MODALITY, f"UCR/UEA {name}, bundled with aeon.") for name in bundled_names()],
    ]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return the recipes in ``recipes/*.toml``."""
    return [Recipe(p.stem, p, MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
