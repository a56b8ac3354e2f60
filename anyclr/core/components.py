"""What a plug-in registers: named component factories and recipes."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from anyclr.core.errors import AnyclrError
from anyclr.core.introspect import SourceSignature, read_signature, split_target

KINDS = ("view", "augmentation", "backbone", "head", "objective", "dataset", "codec", "evaluator", "recipe")


class Component:
    """A named factory of one kind (view, augmentation, backbone, head, objective, dataset, codec or evaluator).

    ``factory`` is the callable, or an import string ``"package.module:Name"`` that is imported on first use
    (the lazy style: listing and ``anyclr show`` then read the parameters and docstring from the source
    file, without importing the module).
    """

    def __init__(
        self,
        name: str,
        factory: Callable[..., Any] | str,
        modality: str = "any",
        summary: str = "",
        kind: str = "",
        plugin: str = "",
    ) -> None:
        self.name = name
        self.modality = modality
        self.summary = summary
        self.kind = kind  # filled in by the registry from the hook that returned it
        self.plugin = plugin  # filled in by the registry
        if isinstance(factory, str):
            split_target(factory)  # a malformed string fails where the plug-in declares it
            self._target, self._factory = factory, None
        elif callable(factory):
            self._target, self._factory = "", factory
        else:
            raise TypeError(f"Component {name!r}: factory must be a callable or 'package.module:Name', got {factory!r}.")

    @property
    def factory(self) -> Callable[..., Any]:
        """The factory itself (imported now if it was declared as an import string)."""
        return self.load()

    @property
    def target(self) -> str:
        """Where the factory lives, as ``package.module:Name``."""
        if self._target:
            return self._target
        f = self._factory
        return f"{getattr(f, '__module__', '?')}:{getattr(f, '__qualname__', type(f).__qualname__)}"

    @property
    def loaded(self) -> bool:
        """True once the factory has been imported (always for one given as a callable)."""
        return self._factory is not None

    def load(self) -> Callable[..., Any]:
        """Import and return the factory; a failing import names the component and its plug-in."""
        if self._factory is None:
            try:
                self._factory = import_target(self._target)
            except Exception as exc:
                raise AnyclrError(
                    f"The {self.kind or 'component'} {self.name!r} (plug-in {self.plugin or '?'!r}) could not be imported "
                    f"from {self._target}: {type(exc).__name__}: {exc}",
                    "Install the plug-in's optional dependencies, or report this to the plug-in's authors.",
                ) from exc
        return self._factory

    def parameters(self) -> dict[str, Any]:
        """Return the factory's keyword parameters and their defaults (``inspect._empty`` if required)."""
        source = self._source()
        return dict(source.parameters) if source is not None else factory_parameters(self.load())

    def accepts_any_keyword(self) -> bool:
        """Return True if the factory takes ``**kwargs``."""
        source = self._source()
        return source.var_keyword if source is not None else accepts_any_keyword(self.load())

    def doc(self) -> str:
        """Return the factory's docstring ("" if it has none)."""
        source = self._source()
        return source.doc if source is not None else inspect.getdoc(self.load()) or ""

    def describe(self) -> str:
        """Return the one-line summary, falling back to the factory docstring's first line."""
        if self.summary:
            return self.summary
        doc = self.doc()
        return doc.splitlines()[0] if doc else ""

    def placed(self, kind: str, plugin: str, name: str | None = None) -> Component:
        """Return a copy registered as ``kind`` by ``plugin`` (under ``name`` if given)."""
        copy = Component(name or self.name, self._target or self._factory, self.modality, self.summary, kind, plugin)
        copy._factory = self._factory
        return copy

    def _source(self) -> SourceSignature | None:
        """The signature read from source while the factory is not imported yet (None once imported or unreadable)."""
        return read_signature(self._target) if self._factory is None else None

    def __repr__(self) -> str:
        return f"Component({self.name!r}, {self.target!r}, kind={self.kind!r}, plugin={self.plugin!r})"


@dataclass(frozen=True)
class Recipe:
    """A named, flat TOML recipe shipped by a plug-in."""

    name: str
    path: Path
    modality: str = "any"
    summary: str = ""
    plugin: str = ""
    kind: str = field(default="recipe")

    def placed(self, kind: str, plugin: str, name: str | None = None) -> Recipe:
        """Return a copy registered by ``plugin`` (under ``name`` if given)."""
        return replace(self, kind=kind, plugin=plugin, name=name or self.name)

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


def import_target(target: str) -> Any:
    """Import ``"package.module:Name"`` and return the object."""
    module, attr = split_target(target)
    return getattr(importlib.import_module(module), attr)
