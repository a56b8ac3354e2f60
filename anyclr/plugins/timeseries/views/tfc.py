"""TF-C's frequency-domain views: each series loses or gains random spectral components."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.timeseries.series import values
from anyclr.plugins.timeseries.views.frequency_add import FrequencyAdd
from anyclr.plugins.timeseries.views.frequency_mask import FrequencyMask


class FrequencyViews(ViewGenerator):
    """Frequency-domain views (Zhang et al. 2022, arXiv 2206.08496), returned in the time domain.

    Per sample, each view either removes (zeroes) a random ``ratio`` of the Fourier coefficients or
    adds amplitude (up to ``strength`` x the largest) to a random ``ratio`` of them, with probability
    1/2 each, as TF-C's ``DataTransform_FD`` (``timeseries-frequency-mask`` or ``timeseries-frequency-add``).
    Coming back to the time domain lets any encoder use them.

    Args:
        n_views: number of views (default 2).
        ratio: share of coefficients removed or raised (default 0.1).
        strength: largest added amplitude, relative to the series' peak amplitude (default 0.1).
    """

    def __init__(self, n_views: int = 2, ratio: float = 0.1, strength: float = 0.1) -> None:
        super().__init__(n_views)
        self.remove = FrequencyMask(ratio)
        self.add = FrequencyAdd(ratio, strength)

    def view(self, inputs: Any) -> torch.Tensor:
        """Return one view of a ``[B, T, C]`` batch."""
        x = values(inputs)
        removed = self.remove(x)
        added = self.add(x)
        pick = torch.rand(x.shape[0], 1, 1, device=x.device) < 0.5
        return torch.where(pick, removed, added)

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}"
