"""Plug-in discovery (entry-point group ``anyclr``), containment of failing plug-ins, and component lookup.

This is the one place that loads plug-ins. Containment rules:

- Built-in plug-ins are the entry points of the ``anyclr`` distribution itself. A third-party entry point
  with a built-in's name (or another distribution's) is loaded as ``<distribution>:<name>``; it never
  replaces the first.
- A plug-in that fails to import, or whose component hooks raise, is listed as broken with the reason; it
  contributes no components and its lifecycle hooks are never called.
- Name clashes: built-ins win the plain name, then third-party plug-ins in name order. The other
  component stays reachable as ``<plugin>:<name>`` (every component also answers to that qualified
  name). A clash is a warning on stderr and a note in ``anyclr plugins``, never an error.
- Lifecycle hooks go through :meth:`Registry.call_lifecycle`: a plug-in whose hook raises is reported
  once and disabled for the rest of the process.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from anyclr.core import hookspecs
from anyclr.core.components import KINDS, Component, Recipe
from anyclr.core.errors import unknown_name

ENTRY_POINT_GROUP = "anyclr"
BUILTIN_DISTRIBUTION = "anyclr"
IN_PROCESS = "(in-process)"

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
LIFECYCLE_HOOKS = ("anyclr_train_start", "anyclr_step_end", "anyclr_epoch_end", "anyclr_train_end", "anyclr_cli")


@dataclass
class PluginInfo:
    """One discovered plug-in: where it comes from, whether it works, and what was noted about it."""

    name: str
    version: str
    distribution: str
    status: str  # "ok" or "broken"
    reason: str = ""
    builtin: bool = False
    notes: list[str] = field(default_factory=list)  # renames and component-name clashes

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form shown by ``anyclr plugins --json``."""
        return dict(
            name=self.name, version=self.version, distribution=self.distribution, status=self.status,
            reason=self.reason, builtin=self.builtin, notes=list(self.notes),
        )


def warn(message: str) -> None:
    """Print a warning for the user on stderr (looked up per call, so test runners capture it)."""
    print(f"Warning: {message}", file=sys.stderr, flush=True)


def builtin_plugin_names() -> list[str]:
    """Return the names of the built-in plug-ins (the ``anyclr`` distribution's entry points), from metadata only."""
    return sorted(
        ep.name
        for ep in md.entry_points(group=ENTRY_POINT_GROUP)
        if ep.dist is not None and _normalise(ep.dist.name) == BUILTIN_DISTRIBUTION
    )


def _normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


class Registry:
    """All loaded plug-ins and the components they registered."""

    def __init__(self, extra_plugins: Iterable[tuple[str, Any]] = (), entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager("anyclr")
        self.pm.add_hookspecs(hookspecs)
        self._plugins: dict[str, PluginInfo] = {}
        self._components: dict[str, dict[str, Component | Recipe]] = {k: {} for k in KINDS}
        self._qualified: dict[str, dict[str, Component | Recipe]] = {k: {} for k in KINDS}
        if entry_points:
            self._load_entry_points()
        for name, obj in extra_plugins:
            self._register(name, obj, version="", distribution=IN_PROCESS, builtin=False)
        self._collect()

    # -- loading ------------------------------------------------------------------------------------------------

    def _load_entry_points(self) -> None:
        points = []
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else "?"
            version = ep.dist.version if ep.dist else "?"
            points.append((_normalise(dist) != BUILTIN_DISTRIBUTION, ep.name, dist, version, ep))
        seen: set[tuple[str, str]] = set()
        for third_party, name, dist, version, ep in sorted(points, key=lambda p: p[:3]):
            if (name, _normalise(dist)) in seen:  # the same distribution visible twice on sys.path
                continue
            seen.add((name, _normalise(dist)))
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plug-in must not break the others
                info = self._new_info(name, version, dist, builtin=not third_party)
                info.status, info.reason = "broken", _reason(exc)
                continue
            self._register(name, obj, version, dist, builtin=not third_party)

    def _register(self, name: str, obj: Any, version: str, distribution: str, builtin: bool) -> None:
        info = self._new_info(name, version, distribution, builtin)
        try:
            self.pm.register(obj, name=info.name)
        except Exception as exc:
            info.status, info.reason = "broken", _reason(exc)

    def _new_info(self, name: str, version: str, distribution: str, builtin: bool) -> PluginInfo:
        """Add a plug-in under ``name``, or ``<distribution>:<name>`` when an earlier one (a built-in first) holds it."""
        info = PluginInfo(name, version, distribution, "ok", builtin=builtin)
        if name in self._plugins:
            first = self._plugins[name]
            info.name = f"{distribution}:{name}"
            owner = "the built-in plug-in" if first.builtin else f"the plug-in of {first.distribution}"
            info.notes.append(f"its entry point {name!r} clashes with {owner}; loaded as {info.name!r}")
            warn(f"plug-in {name!r} of {distribution}: {info.notes[-1]}.")
        self._plugins[info.name] = info
        return info

    def _collect(self) -> None:
        """Call each working plug-in's component hooks, then register its components (built-ins first)."""
        for info in self.plugins:
            items = self._plugin_items(info) if info.status == "ok" else None
            for item in items or []:
                self._add_component(item, info)

    def _plugin_items(self, info: PluginInfo) -> list[Component | Recipe] | None:
        """Return everything ``info``'s hooks return, or None (and mark it broken) if one raises."""
        plugin = self.pm.get_plugin(info.name)
        items: list[Component | Recipe] = []
        for kind, hook_name in _HOOK_FOR_KIND.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                expected = Recipe if kind == "recipe" else Component
                try:
                    returned = list(impl.function() or [])
                    for item in returned:
                        if not isinstance(item, expected):
                            raise TypeError(f"returned {item!r}, not a {expected.__name__}")
                except Exception as exc:
                    info.status, info.reason = "broken", f"{hook_name} raised {_reason(exc)}"
                    return None
                items += [item.placed(kind, info.name) for item in returned]
        return items

    def _add_component(self, item: Component | Recipe, info: PluginInfo) -> None:
        """Register ``item`` under its name, or under ``plugin:name`` if an earlier plug-in holds the name."""
        table, qualified = self._components[item.kind], f"{info.name}:{item.name}"
        if item.name in table:
            note = f"its {item.kind} {item.name!r} clashes with plug-in {table[item.name].plugin!r}'s; use {qualified!r}"
            warn(f"plug-in {info.name!r}: {note}.")
            info.notes.append(note)
            item = item.placed(item.kind, info.name, name=qualified)
        table[item.name] = item
        self._qualified[item.kind][qualified] = item

    # -- plug-ins -----------------------------------------------------------------------------------------------

    @property
    def plugins(self) -> list[PluginInfo]:
        """Every discovered plug-in, built-ins first, each group in name order."""
        return sorted(self._plugins.values(), key=lambda i: (not i.builtin, i.name))

    def plugin(self, name: str) -> PluginInfo:
        """Return the plug-in called ``name``."""
        if name not in self._plugins:
            raise unknown_name("plug-in", name, self._plugins)
        return self._plugins[name]

    def broken(self) -> list[PluginInfo]:
        """Return the plug-ins that failed to load or were disabled after a failing hook."""
        return [info for info in self.plugins if info.status != "ok"]

    def call_lifecycle(self, hook_name: str, **kwargs: Any) -> None:
        """Call every working plug-in's ``hook_name`` one at a time.

        A plug-in whose implementation raises is reported once on stderr (plug-in, hook, error), marked
        broken and not called again in this process; the run goes on.
        """
        if hook_name not in LIFECYCLE_HOOKS:
            raise ValueError(f"{hook_name!r} is not a lifecycle hook ({', '.join(LIFECYCLE_HOOKS)}).")
        impls = {self.pm.get_name(impl.plugin): impl for impl in getattr(self.pm.hook, hook_name).get_hookimpls()}
        for info in self.plugins:  # built-ins first, then by name
            impl = impls.get(info.name)
            if impl is None or info.status != "ok":
                continue
            try:
                impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                info.status, info.reason = "broken", f"{hook_name} raised {_reason(exc)}"
                warn(f"plug-in {info.name!r} failed: {info.reason}. It is disabled for the rest of this run.")

    @property
    def hook(self) -> Any:
        """The pluggy hook relay (call lifecycle hooks through :meth:`call_lifecycle` instead)."""
        return self.pm.hook

    # -- components -----------------------------------------------------------------------------------------------

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
        """Return the component of ``kind`` called ``name`` (or ``plugin:name``); raise with the closest names."""
        if kind not in KINDS:
            raise unknown_name("component kind", kind, KINDS)
        found = self._lookup(kind, name)
        if found is None:
            raise unknown_name(kind, name, self._components[kind])
        return found

    def has(self, kind: str, name: str) -> bool:
        """Return True if a component of ``kind`` called ``name`` (or ``plugin:name``) exists."""
        return kind in KINDS and self._lookup(kind, name) is not None

    def recipe(self, name: str) -> Recipe:
        """Return the recipe called ``name``."""
        return self.get("recipe", name)

    def find(self, name: str) -> list[Component | Recipe]:
        """Return every component of any kind called ``name`` (or ``plugin:name``)."""
        return [found for kind in KINDS if (found := self._lookup(kind, name)) is not None]

    def all_names(self) -> list[str]:
        """Return every registered name of every kind."""
        return sorted({n for t in self._components.values() for n in t})

    def _lookup(self, kind: str, name: str) -> Component | Recipe | None:
        return self._components[kind].get(name) or self._qualified[kind].get(name)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


_REGISTRY: Registry | None = None


def get_registry(refresh: bool = False) -> Registry:
    """Return the process-wide registry, loading plug-ins on first use."""
    global _REGISTRY
    if _REGISTRY is None or refresh:
        _REGISTRY = Registry()
    return _REGISTRY


def loaded_registry() -> Registry | None:
    """Return the process-wide registry if it has been loaded, without loading it."""
    return _REGISTRY


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (tests use this to add in-process plug-ins)."""
    global _REGISTRY
    _REGISTRY = registry
