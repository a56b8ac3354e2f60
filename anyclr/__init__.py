"""anyclr: contrastive self-supervised representation learning for any modality."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["train", "evaluate", "embed", "__version__"]


def train(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Train a recipe and return its summary (see :func:`anyclr.api.train`)."""
    from anyclr.api import train as _train

    return _train(*args, **kwargs)


def evaluate(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Evaluate a finished run (see :func:`anyclr.api.evaluate`)."""
    from anyclr.api import evaluate as _evaluate

    return _evaluate(*args, **kwargs)


def embed(*args: Any, **kwargs: Any) -> Any:
    """Embed data with a trained run's encoder (see :func:`anyclr.api.embed`)."""
    from anyclr.api import embed as _embed

    return _embed(*args, **kwargs)
