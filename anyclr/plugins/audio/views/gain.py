"""Random gain: each clip louder or softer by a random number of decibels."""

from __future__ import annotations

import torch

from anyclr.plugins.audio.views.audio_augmentation import AudioAugmentation, per_sample, uniform


class Gain(AudioAugmentation):
    """Multiply each clip by ``10 ** (g / 20)``, ``g`` uniform in ``[min_db, max_db]``.

    Parameters: the gain in dB ``[B]``.

    Args:
        min_db: lowest gain (default -6).
        max_db: highest gain (default 6).
        p: probability that a clip is changed (default 1).
    """

    name = "audio-gain"

    def __init__(self, min_db: float = -6.0, max_db: float = 6.0, p: float = 1.0) -> None:
        super().__init__(p)
        if min_db > max_db:
            raise ValueError(f"min_db must not exceed max_db, got {min_db} > {max_db}")
        self.min_db, self.max_db = float(min_db), float(max_db)

    def draw(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Return the gains in dB ``[B]``."""
        return uniform((x.shape[0],), self.min_db, self.max_db, x, generator)

    def change(self, x: torch.Tensor, drawn: torch.Tensor) -> torch.Tensor:
        """Return the scaled clips."""
        return x * per_sample(10.0 ** (drawn / 20.0), x)

    def extra_repr(self) -> str:
        return f"min_db={self.min_db}, max_db={self.max_db}, p={self.p}"
