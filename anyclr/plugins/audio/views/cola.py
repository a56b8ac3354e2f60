"""COLA's views: two random segments of the same clip, nothing else."""

from __future__ import annotations

from anyclr.core.views import Compose, Step
from anyclr.plugins.audio.views.random_crop import RandomCrop


class COLAViews(Compose):
    """COLA's views (Saeed et al. 2021, arXiv 2010.10915): random ``crop_seconds`` segments of each clip, one per view.

    Segments of one clip are positives; segments of the other clips in the batch are negatives. The views stay
    waveforms: the encoder computes their log-mel. Built from ``audio-random-crop``.

    Args:
        n_views: segments per clip (default 2).
        crop_seconds: segment length (default 0.5).
        sample_rate: samples per second (injected from the dataset).
    """

    def __init__(self, n_views: int = 2, crop_seconds: float = 0.5, sample_rate: int = 16000) -> None:
        super().__init__([[Step(RandomCrop(crop_seconds, sample_rate))]], n_views)
