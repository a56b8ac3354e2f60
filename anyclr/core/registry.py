"""Plug-in discovery (entry-point group ``anyclr``) and component lookup."""

from __future__ import annotations

import importlib.metadata as md
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pluggy

from anyclr.core import hookspecs
from anyclr.core.components import KINDS, Component, Recipe
from anyclr.core.errors import AnyclrError, unknown_name

ENTRY_POINT_GROUP = "anyclr"

_HOOK_FOR_KIND = {
    "view": "anyclr_views",
    "augmentation": "anyclr_augmentations",
    "backbone": "anyclr_backbones",
    "head": "anyclr_heads",
    "objective": "anyclr_objectives",
    "dataset": "anyclr_datasets",
    "codec": "anyclr_codecs",
    "evaluator": "anyclr_evaluators",
    "recipe": "anyclr_recipes",
}


@dataclass(frozen=True)
class PluginInfo:
    """One discovered plug-in and whether it loaded."""

    name: str
    version: str
    distribution: str
    status: str  # "ok" or "broken"
    reason: str = ""


class Registry:
    """All loaded plug-ins and the components they registered."""

    def __init__(self, extra_plugins: Iterable[tuple[str, Any]] = (), entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager("anyclr")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: list[PluginInfo] = []
        self._components: dict[str, dict[str, Component | Recipe]] = {k: {} for k in KINDS}
        if entry_points:
            self._load_entry_points()
        for name, obj in extra_plugins:
            self._register(name, obj, version="", distribution="(in-process)")
        self._collect()

    def _load_entry_points(self) -> None:
        seen: set[str] = set()
        for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in seen:  # the same distribution visible twice on sys.path
                continue
            seen.add(ep.name)
            dist = ep.dist.name if ep.dist else "?"
            version = ep.dist.version if ep.dist else "?"
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plug-in must not break the others
                reason = f"{type(exc).__name__}: {exc}".strip()
                self.plugins.append(PluginInfo(ep.name, version, dist, "broken", reason))
                continue
            self._register(ep.name, obj, version, dist)

    def _register(self, name: str, obj: Any, version: str, distribution: str) -> None:
        try:
            self.pm.register(obj, name=name)
        except Exception as exc:
            self.plugins.append(PluginInfo(name, version, distribution, "broken", f"{type(exc).__name__}: {exc}"))
            return
        self.plugins.append(PluginInfo(name, version, distribution, "ok"))

    def _collect(self) -> None:
        for kind, hook_name in _HOOK_FOR_KIND.items():
            hook = getattr(self.pm.hook, hook_name)
            for impl in hook.get_hookimpls():
                plugin_name = self.pm.get_name(impl.plugin) or "?"
                try:
                    items = impl.function() or []
                except Exception as exc:
                    self._mark_broken(plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}")
                    continue
                for item in items:
                    item = _with(item, kind=kind, plugin=plugin_name)
                    table = self._components[kind]
                    if item.name in table:
                        other = table[item.name].plugin
                        raise AnyclrError(
                            f"The {kind} name {item.name!r} is registered by two plug-ins: {other!r} and {plugin_name!r}.",
                            "Uninstall or rename one of them.",
                        )
                    table[item.name] = item

    def _mark_broken(self, name: str, reason: str) -> None:
        for i, info in enumerate(self.plugins):
            if info.name == name:
                self.plugins[i] = PluginInfo(info.name, info.version, info.distribution, "broken", reason)

    # -- lookup -------------------------------------------------------------------------------------------------

    def components(self, kind: str | None = None, modality: str | None = None) -> list[Component | Recipe]:
        """Return registered components, optionally of one kind and/or modality (``any`` always matches)."""
        kinds = [kind] if kind else list(KINDS)
        for k in kinds:
            if k not in KINDS:
                raise unknown_name("component kind", k, KINDS)
        out = [c for k in kinds for c in self._components[k].values()]
        if modality:
            out = [c for c in out if c.modality in (modality, "any")]
        return sorted(out, key=lambda c: (c.kind, c.name))

    def get(self, kind: str, name: str) -> Any:
        """Return the component of ``kind`` called ``name``, or raise with the closest names."""
        if kind not in KINDS:
            raise unknown_name("component kind", kind, KINDS)
        table = self._components[kind]
        if name not in table:
            raise unknown_name(kind, name, table)
        return table[name]

    def has(self, kind: str, name: str) -> bool:
        """Return True if a component of ``kind`` called ``name`` exists."""
        return name in self._components.get(kind, {})

    def recipe(self, name: str) -> Recipe:
        """Return the recipe called ``name``."""
        return self.get("recipe", name)

    def find(self, name: str) -> list[Component | Recipe]:
        """Return every component of any kind called ``name``."""
        return [t[name] for t in self._components.values() if name in t]

    def all_names(self) -> list[str]:
        """Return every registered name of every kind."""
        return sorted({n for t in self._components.values() for n in t})

    @property
    def hook(self) -> Any:
        """The pluggy hook relay, for lifecycle and CLI hooks."""
        return self.pm.hook


def _with(item: Component | Recipe, **changes: str) -> Any:
    from dataclasses import replace

    return replace(item, **changes)


_REGISTRY: Registry | None = None


def get_registry(refresh: bool = False) -> Registry:
    """Return the process-wide registry, loading plug-ins on first use."""
    global _REGISTRY
    if _REGISTRY is None or refresh:
        _REGISTRY = Registry()
    return _REGISTRY


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (tests use this to add in-process plug-ins)."""
    global _REGISTRY
    _REGISTRY = registry
