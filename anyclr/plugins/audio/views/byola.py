"""BYOL-A's views: a random segment, log-mel, mixup with a memory of past clips, random resized crop."""

from __future__ import annotations

from typing import Any

from anyclr.core.views import Compose, Step
from anyclr.plugins.audio.views.logmel import LogMel
from anyclr.plugins.audio.views.mixup import Mixup
from anyclr.plugins.audio.views.random_crop import RandomCrop
from anyclr.plugins.audio.views.resized_crop import RandomResizedCrop


class BYOLAViews(Compose):
    """BYOL for Audio's augmentations (Niizumi et al. 2021, arXiv 2103.06695), batched on the device.

    Each view: a random ``crop_seconds`` segment of the clip (0 keeps the whole segment), its normalised
    log-mel, mixup with a clip from a memory of past clips (``log((1-λ) e^x + λ e^m)``, ``λ`` up to
    ``mixup_ratio``), then a random resized crop. Built from the components ``audio-random-crop``,
    ``audio-logmel``, ``audio-mixup`` and ``audio-resized-crop``.

    Args:
        n_views: views per clip (default 2).
        sample_rate: samples per second (injected from the dataset).
        front_end: log-mel settings (injected from the dataset).
        crop_seconds: segment length (default 0: the dataset's whole segment).
        mixup_ratio: largest mixing share (default 0.4).
        memory: past clips kept for mixup (default 2048).
        virtual_crop_scale: canvas of the resized crop (default ``[1.0, 1.5]``).
        freq_scale: box height range (default ``[0.6, 1.5]``).
        time_scale: box width range (default ``[0.6, 1.5]``).
    """

    def __init__(
        self,
        n_views: int = 2,
        sample_rate: int = 16000,
        front_end: dict[str, Any] | None = None,
        crop_seconds: float = 0.0,
        mixup_ratio: float = 0.4,
        memory: int = 2048,
        virtual_crop_scale: tuple[float, float] | list[float] = (1.0, 1.5),
        freq_scale: tuple[float, float] | list[float] = (0.6, 1.5),
        time_scale: tuple[float, float] | list[float] = (0.6, 1.5),
    ) -> None:
        steps = [Step(RandomCrop(crop_seconds, sample_rate))] if crop_seconds else []
        steps += [
            Step(LogMel(sample_rate, front_end)),
            Step(Mixup(mixup_ratio, memory)),
            Step(RandomResizedCrop(virtual_crop_scale, freq_scale, time_scale)),
        ]
        super().__init__([steps], n_views)
