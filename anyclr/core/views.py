"""View generators: turn one batch of inputs into ``n_views`` randomly augmented batches."""

from __future__ import annotations

from typing import Any

from torch import nn


class ViewGenerator(nn.Module):
    """Base for view generators.

    Subclasses implement :meth:`view` (one batched view with per-sample random parameters, drawn from
    torch's global RNG on the inputs' device, which the trainer seeds per step), or override
    :meth:`forward` when the views must be drawn jointly (overlapping crops, asymmetric pipelines).
    """

    def __init__(self, n_views: int = 2) -> None:
        super().__init__()
        if n_views < 1:
            raise ValueError("n_views must be at least 1")
        self.n_views = n_views

    def view(self, inputs: Any) -> Any:
        """Return one augmented view of a batch."""
        raise NotImplementedError

    def forward(self, inputs: Any) -> list[Any]:
        """Return ``n_views`` augmented views of a batch."""
        return [self.view(inputs) for _ in range(self.n_views)]
