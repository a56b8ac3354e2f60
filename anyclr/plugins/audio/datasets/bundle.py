"""Packing audio samples into a DataBundle: the front end's statistics, the standard info keys, the MFCC baseline."""

from __future__ import annotations

import logging
from typing import Any

import torch

from anyclr.core.data import BadSample, DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.splits import split_indices
from anyclr.plugins.audio.datasets.clips import AudioClips
from anyclr.plugins.audio.datasets.decode import Decoding
from anyclr.plugins.audio.datasets.mfcc_stats import DESCRIPTION, MFCCStats
from anyclr.plugins.audio.frontend import FrontEnd, FrontEndSettings

log = logging.getLogger("anyclr.audio")

STATS_CLIPS = 256  # training clips decoded to measure the log-mel mean and std


def decoding(sample_rate: int, channels: int, seconds: float, settings: FrontEndSettings) -> Decoding:
    """Return how clips are decoded, checking the data.* keys."""
    if sample_rate < 1:
        raise AnyclrError(f"data.sample_rate must be positive, got {sample_rate}.")
    if channels < 0:
        raise AnyclrError(f"data.channels must be 0 (mix down to mono) or a number of channels to keep, got {channels}.")
    if not seconds > 0:
        raise AnyclrError(f"data.seconds must be positive, got {seconds}.")
    return Decoding(int(sample_rate), int(channels), float(seconds), 2.0 * settings.f_max)


def measure_front_end(train: AudioClips, settings: FrontEndSettings, sample_rate: int, seed: int = 0) -> FrontEndSettings:
    """Return ``settings`` with the log-mel mean and std of a seeded sample of training clips (bad clips skipped)."""
    from dataclasses import replace

    g = torch.Generator().manual_seed(seed)
    picked = torch.randperm(len(train), generator=g)[:STATS_CLIPS].tolist()
    waves = [s[0] for s in (train[i] for i in picked) if not isinstance(s, BadSample)]
    if not waves:
        first = train[picked[0]]
        reason = f" First: {first.where}: {first.reason}" if isinstance(first, BadSample) else ""
        raise AnyclrError(f"None of {len(picked)} sampled training clips could be decoded.{reason}", "Check the files (or data.path).")
    raw = FrontEnd(sample_rate, replace(settings, kind="logmel", mean=0.0, std=1.0))
    with torch.no_grad():
        values = raw(torch.stack(waves))
    values = values[~torch.isnan(values)]
    return replace(settings, mean=round(float(values.mean()), 4), std=round(float(values.std().clamp_min(1e-3)), 4))


def audio_bundle(
    train: AudioClips,
    test: AudioClips | None,
    class_names: list[str],
    how: Decoding,
    front_end: dict[str, Any] | None,
    max_bad_fraction: float,
    seed: int = 0,
    extra: dict[str, Any] | None = None,
) -> DataBundle:
    """Build the bundle of lazily decoded clips with the audio ``info`` keys; the front end's statistics are measured
    on training clips unless ``front_end`` states ``mean`` and ``std``."""
    if not 0.0 <= max_bad_fraction <= 1.0:
        raise AnyclrError(f"data.max_bad_fraction must be between 0 and 1, got {max_bad_fraction}.")
    settings = FrontEndSettings.of(front_end, how.sample_rate, "data.front_end")
    if not {"mean", "std"} <= set(front_end or {}):
        settings = measure_front_end(train, settings, how.sample_rate, seed)
    info = {
        "modality": "audio",
        "in_channels": max(how.channels, 1),
        "num_classes": len(class_names),
        "class_names": list(class_names),
        "sample_rate": how.sample_rate,
        "segment_samples": how.samples,
        "front_end": settings.as_dict(),
        "codec": "audio-flac",
        "raw_features": DESCRIPTION,
        **(extra or {}),
    }
    return DataBundle(train=train, test=test, info=info, raw_features=MFCCStats(how.sample_rate), max_bad_fraction=float(max_bad_fraction))


def split_clips(train: AudioClips, test_fraction: float, seed: int) -> tuple[AudioClips, AudioClips | None]:
    """Hold out ``test_fraction`` of the clips, whole groups (speakers, voices) at a time when the clips have groups."""
    if not test_fraction:
        return train, None
    rest, held = split_indices(train.labels, test_fraction, seed, groups=train.groups, what="data.test_fraction")
    return train.subset(rest), train.subset(held)
