"""What a plug-in registers: named component factories and recipes."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("view", "augmentation", "backbone", "head", "objective", "dataset", "codec", "evaluator", "recipe")


@dataclass(frozen=True)
class Component:
    """A named factory of one kind (view, augmentation, backbone, head, objective, dataset, codec or evaluator)."""

    name: str
    factory: Callable[..., Any]
    modality: str = "any"
    summary: str = ""
    kind: str = ""  # filled in by the registry from the hook that returned it
    plugin: str = ""  # filled in by the registry

    def parameters(self) -> dict[str, Any]:
        """Return the factory's keyword parameters and their defaults (``inspect._empty`` if required)."""
        return factory_parameters(self.factory)

    def describe(self) -> str:
        """Return the one-line summary, falling back to the factory docstring's first line."""
        if self.summary:
            return self.summary
        doc = inspect.getdoc(self.factory) or ""
        return doc.splitlines()[0] if doc else ""


@dataclass(frozen=True)
class Recipe:
    """A named, flat TOML recipe shipped by a plug-in."""

    name: str
    path: Path
    modality: str = "any"
    summary: str = ""
    plugin: str = ""
    kind: str = field(default="recipe")

    def text(self) -> str:
        """Return the recipe's TOML source."""
        return Path(self.path).read_text()

    def describe(self) -> str:
        """Return the one-line summary (the recipe file's first comment line if not given)."""
        if self.summary:
            return self.summary
        for line in self.text().splitlines():
            if line.startswith("#"):
                return line.lstrip("# ").strip()
        return ""


def factory_parameters(factory: Callable[..., Any]) -> dict[str, Any]:
    """Return ``{name: default}`` for a callable's keyword-capable parameters."""
    target = factory.__init__ if inspect.isclass(factory) else factory
    sig = inspect.signature(target)
    out: dict[str, Any] = {}
    for p in sig.parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out[p.name] = p.default
    return out


def accepts_any_keyword(factory: Callable[..., Any]) -> bool:
    """Return True if the factory takes ``**kwargs``."""
    target = factory.__init__ if inspect.isclass(factory) else factory
    return any(p.kind == p.VAR_KEYWORD for p in inspect.signature(target).parameters.values())
