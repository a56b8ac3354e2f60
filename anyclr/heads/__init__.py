"""Built-in heads: the projectors (and predictors) between a backbone and an objective.

``from anyclr.heads import MLP`` works; the modules load on first use, so that discovering the
``heads`` plug-in does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"MLP": "mlp", "LinearHead": "linear", "IdentityHead": "identity"}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"anyclr.heads.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'anyclr.heads' has no attribute {name!r}")
