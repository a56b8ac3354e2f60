"""No augmentation: every view is the input as float in [0, 1] (for tests and sanity checks)."""

from __future__ import annotations

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.image.views.convert import check_images, to_unit_float


class IdentityViews(ViewGenerator):
    """Return ``n_views`` (default 2) un-augmented copies of an image batch, as float in [0, 1]."""

    def view(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return the batch converted to float in [0, 1]."""
        check_images(inputs)
        return to_unit_float(inputs)
