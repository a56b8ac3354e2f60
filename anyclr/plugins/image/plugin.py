"""Registers the image components and recipes through the ``anyclr`` entry point (``image``).

Factories are named by import string and imported on first use, so listing them imports no torch.
"""

from __future__ import annotations

from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

MODALITY = "image"
PACKAGE = "anyclr.plugins.image"
RECIPES = Path(__file__).parent / "recipes"


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the image view generators."""
    return [
        Component(
            "image-simclr",
            f"{PACKAGE}.views.simclr:SimCLRViews",
            modality=MODALITY,
            summary="SimCLR views: resized crop, flip, colour jitter, grayscale, blur, solarize (batched, per-sample).",
        ),
        Component(
            "image-identity", f"{PACKAGE}.views.identity:IdentityViews", modality=MODALITY,
            summary="No augmentation (images as float in [0, 1]).",
        ),
    ]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the image augmentations (uint8 or float images [B, C, H, W] in, floats in [0, 1] out)."""
    return [
        Component(
            "image-resized-crop",
            "anyclr.plugins.image.views.resized_crop:RandomResizedCrop",
            modality=MODALITY,
            summary="Random area/aspect window per sample, resized to image_size (torchvision's sampling).",
        ),
        Component("image-flip", "anyclr.plugins.image.views.horizontal_flip:RandomHorizontalFlip", modality=MODALITY, summary="Mirror left-right with probability p."),
        Component(
            "image-color-jitter",
            "anyclr.plugins.image.views.color_jitter:ColorJitter",
            modality=MODALITY,
            summary="Brightness, contrast, saturation, hue as one colour map per sample, with probability p.",
        ),
        Component(
            "image-grayscale", "anyclr.plugins.image.views.grayscale:RandomGrayscale", modality=MODALITY, summary="RGB to luma with probability p."
        ),
        Component(
            "image-blur",
            "anyclr.plugins.image.views.gaussian_blur:RandomGaussianBlur",
            modality=MODALITY,
            summary="Gaussian blur with a per-sample sigma, with probability p (kernel 10% of the side by default).",
        ),
        Component(
            "image-solarize", "anyclr.plugins.image.views.solarize:RandomSolarize", modality=MODALITY, summary="Invert pixels above threshold, with probability p."
        ),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the image backbones."""
    stem = "; small_stem (3×3, stride 1, no max-pool) for ≤64 px; width = first-stage channels."
    resnet = f"{PACKAGE}.encoders.resnet"
    return [
        Component("resnet18", f"{resnet}:resnet18", modality=MODALITY, summary="ResNet-18 (torchvision blocks)" + stem),
        Component("resnet34", f"{resnet}:resnet34", modality=MODALITY, summary="ResNet-34 (torchvision blocks)" + stem),
        Component("resnet50", f"{resnet}:resnet50", modality=MODALITY, summary="ResNet-50 (torchvision bottlenecks)" + stem),
        Component("convnet", f"{PACKAGE}.encoders.convnet:convnet", modality=MODALITY, summary="Small 4-block ConvNet for fast CPU runs."),
    ]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the image dataset readers."""
    datasets = f"{PACKAGE}.datasets"
    return [
        Component(
            "image-folder", f"{datasets}.folder:image_folder", modality=MODALITY,
            summary="Class folders of PNG/JPEG images (ImageFolder layout).",
        ),
        Component(
            "image-arrays", f"{datasets}.arrays:image_arrays", modality=MODALITY,
            summary="Images in .npy/.npz arrays (NHWC or NCHW).",
        ),
        Component(
            "digits", f"{datasets}.digits:digits", modality=MODALITY,
            summary="scikit-learn's 8×8 handwritten digits (bundled, 1,797 images).",
        ),
        Component(
            "fashion-mnist", f"{datasets}.fashion_mnist:fashion_mnist", modality=MODALITY,
            summary="Fashion-MNIST from local IDX files (apt-get install dataset-fashion-mnist).",
        ),
    ]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return how image samples are written to shards."""
    return [Component("image-png", "anyclr.plugins.image.datasets.codec:image_codec", modality=MODALITY, summary="uint8 images as PNG files in shards.")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return every ``recipes/*.toml`` next to this file (adding a file adds a recipe)."""
    return [Recipe(p.stem, p, modality=MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
