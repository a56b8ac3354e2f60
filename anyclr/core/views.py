"""View generators turn one batch of inputs into ``n_views`` augmented batches; augmentations are their parts.

The one augmentation contract (kornia's split): :meth:`Augmentation.sample` draws every random choice for a
whole batch at once (per-sample parameters, including whether a sample is augmented at all), then
:meth:`Augmentation.apply` applies them, vectorised and deterministic. Applying the same parameters twice gives
the same view; the parameters of one stream can be reused by another (the same temporal crop of a clip's
audio and frames) through :func:`shared_params`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import torch
from torch import nn

_shared: ContextVar[dict[str, Any] | None] = ContextVar("shared_params", default=None)


@contextmanager
def shared_params() -> Iterator[dict[str, Any]]:
    """Within this block, augmentations given the same ``share`` key reuse the first one's sampled parameters.

    The trainer opens one block per step around all streams' views, so sharing spans streams but never steps.
    """
    table: dict[str, Any] = {}
    token = _shared.set(table)
    try:
        yield table
    finally:
        _shared.reset(token)


class Augmentation(nn.Module):
    """Base for augmentations: :meth:`sample` parameters for a batch, then :meth:`apply` them.

    Subclasses draw from ``generator`` when one is given and from torch's global RNG otherwise (the trainer
    seeds it per step), on the inputs' device, never in a per-sample Python loop. ``apply`` must not draw
    any randomness: everything random is in the parameters.
    """

    def sample(self, inputs: Any, generator: torch.Generator | None = None) -> Any:
        """Return the random parameters of one view of the batch ``inputs``."""
        raise NotImplementedError

    def apply(self, inputs: Any, params: Any) -> Any:
        """Return ``inputs`` augmented with ``params`` (deterministic)."""
        raise NotImplementedError

    def forward(self, inputs: Any, generator: torch.Generator | None = None) -> Any:
        """Sample parameters, then apply them."""
        return self.apply(inputs, self.sample(inputs, generator))


class Step(nn.Module):
    """One augmentation inside a pipeline, with an optional ``share`` key (parameters reused across streams)."""

    def __init__(self, augmentation: Augmentation, share: str = "") -> None:
        super().__init__()
        self.augmentation = augmentation
        self.share = str(share)

    def forward(self, inputs: Any, view: int, generator: torch.Generator | None = None) -> Any:
        """Apply the augmentation, reusing shared parameters of view ``view`` when another stream drew them."""
        table = _shared.get() if self.share else None
        key = f"{self.share}/{view}"
        if table is not None and key in table:
            params = table[key]
        else:
            params = self.augmentation.sample(inputs, generator)
            if table is not None:
                table[key] = params
        return self.augmentation.apply(inputs, params)

    def extra_repr(self) -> str:
        return f"share={self.share!r}" if self.share else ""


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


class Compose(ViewGenerator):
    """Views made by a pipeline of augmentations, applied in order; one pipeline for all views or one per view.

    Args:
        pipelines: one list of :class:`Step` per view (a single list is used for every view).
        n_views: number of views (default 2; with per-view pipelines, their count).
    """

    def __init__(self, pipelines: Sequence[Sequence[Step]], n_views: int = 2) -> None:
        pipelines = [list(p) for p in pipelines]
        if len(pipelines) == 1:
            pipelines = pipelines * n_views
        elif len(pipelines) != n_views:
            raise ValueError(f"{len(pipelines)} per-view pipelines but n_views is {n_views}")
        super().__init__(n_views)
        self.pipelines = nn.ModuleList(nn.ModuleList(p) for p in pipelines)

    @torch.no_grad()
    def forward(self, inputs: Any) -> list[Any]:
        """Return ``n_views`` views, each the inputs passed through its pipeline."""
        views = []
        for v, pipeline in enumerate(self.pipelines):
            x = inputs
            for step in pipeline:
                x = step(x, v)
            views.append(x)
        return views


class StreamViews(nn.ModuleDict):
    """One view generator per input stream of a paired run: ``{stream: inputs}`` to ``{stream: [views]}``.

    All streams' views of a step are drawn inside one :func:`shared_params` block, so augmentations with the
    same ``share`` key use the same parameters in every stream (one temporal crop for a clip's audio and frames).
    """

    def forward(self, inputs: dict[str, Any]) -> dict[str, list[Any]]:
        """Return every stream's views."""
        with shared_params():
            return {name: generator(inputs[name]) for name, generator in self.items()}
