"""Registers the audio components and recipes through the ``anyclr`` entry point (``audio``).

Factories are named by import string and imported on first use, so listing them imports neither torch nor
torchaudio nor soundfile.
"""

from __future__ import annotations

from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

MODALITY = "audio"
PACKAGE = "anyclr.plugins.audio"
RECIPES = Path(__file__).parent / "recipes"


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the audio view generators."""
    views = f"{PACKAGE}.views"
    return [
        Component("audio-byola", f"{views}.byola:BYOLAViews", MODALITY, "BYOL-A: random segment, log-mel, mixup with a memory of past clips, random resized crop."),
        Component("audio-cola", f"{views}.cola:COLAViews", MODALITY, "COLA: random segments of each clip (waveforms; the encoder makes the log-mel)."),
    ]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the audio augmentations (waveforms [B, C, T] or log-mel [B, C, F, N], NaN after a clip's end)."""
    views = f"{PACKAGE}.views"
    return [
        Component("audio-random-crop", f"{views}.random_crop:RandomCrop", MODALITY, "A random window of each clip (COLA's segments); sets the batch's length."),
        Component("audio-gain", f"{views}.gain:Gain", MODALITY, "Louder or softer by a random number of dB."),
        Component("audio-noise", f"{views}.noise:AddNoise", MODALITY, "White noise at a random SNR (relative to each clip's power)."),
        Component("audio-time-shift", f"{views}.time_shift:TimeShift", MODALITY, "Start each clip later (silence first) or earlier (its start cut)."),
        Component("audio-polarity", f"{views}.polarity:PolarityInversion", MODALITY, "Turn the waveform upside down with probability p."),
        Component("audio-speed", f"{views}.speed:SpeedChange", MODALITY, "Speed and pitch change by resampling (factor 0.85-1.15)."),
        Component("audio-mixup", f"{views}.mixup:Mixup", MODALITY, "Mix in another clip of the batch or of a memory of past clips (BYOL-A; log-mel or waveform)."),
        Component("audio-logmel", f"{views}.logmel:LogMel", MODALITY, "Waveforms to normalised log-mel (or MFCC) on the device, with the dataset's front end."),
        Component("audio-resized-crop", f"{views}.resized_crop:RandomResizedCrop", MODALITY, "BYOL-A's random resized crop of log-mel (a box of a padded canvas, stretched back)."),
        Component("audio-time-mask", f"{views}.masks:TimeMask", MODALITY, "SpecAugment: stretches of frames set to the mean."),
        Component("audio-frequency-mask", f"{views}.masks:FrequencyMask", MODALITY, "SpecAugment: bands of mel bins set to the mean."),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the audio encoders."""
    encoders = f"{PACKAGE}.encoders"
    return [
        Component("byola-cnn", f"{encoders}.byola_cnn:ByolaCNN", MODALITY, "BYOL-A's encoder: 3 conv blocks on log-mel, frame MLP, mean + max over time (512-d)."),
        Component("panns-cnn6", f"{encoders}.panns:cnn6", MODALITY, "PANNs CNN6: four 5x5 conv blocks (64-512 channels at width 64), max + mean head."),
        Component("panns-cnn10", f"{encoders}.panns:cnn10", MODALITY, "PANNs CNN10: four blocks of two 3x3 convs (64-512 channels at width 64), max + mean head."),
        Component("wave-conv", f"{encoders}.wave_conv:WaveConv", MODALITY, "Strided 1-D convolutions on the waveform (10 ms frames), mean + max over time."),
    ]


@hookimpl
def anyclr_heads() -> list[Component]:
    """Return the audio heads."""
    return [Component("cola", f"{PACKAGE}.encoders.cola_head:COLAHead", MODALITY, "COLA's projection: Linear, LayerNorm, tanh (512-d).")]


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the audio objectives."""
    return [
        Component("cola", f"{PACKAGE}.objectives.cola:COLA", MODALITY, "COLA: bilinear similarity a^T W p, segments of one clip against the batch's other clips."),
    ]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the audio readers and the bundled spoken digits."""
    datasets = f"{PACKAGE}.datasets"
    return [
        Component("audio-folder", f"{datasets}.folder:audio_folder", MODALITY, "Class folders of WAV/FLAC/OGG/MP3 files, decoded lazily to fixed-length segments."),
        Component("audio-manifest", f"{datasets}.folder:audio_manifest", MODALITY, "A CSV/Parquet manifest: path, label, optional start/end seconds and group (speaker)."),
        Component("spoken-digits", f"{datasets}.spoken_digits:spoken_digits", MODALITY, "Digits zero-nine spoken by espeak-ng voices (made on first use), split by voice."),
    ]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return how audio samples are written to shards."""
    return [Component("audio-flac", f"{PACKAGE}.datasets.codec:audio_codec", MODALITY, "Audio segments as 24-bit FLAC files in shards.")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return the recipes in ``recipes/*.toml``."""
    return [Recipe(p.stem, p, MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
