"""Rich tables and text for the CLI's listing commands (plugins, components, recipes, show, metrics)."""

from __future__ import annotations

import inspect
import os
from collections import Counter
from typing import Any

import tomli_w
import tomllib
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from anyclr.core.components import Component, Recipe
from anyclr.core.errors import AnyclrError
from anyclr.core.registry import Registry

# Which recipe section (and key prefix) configures each kind of component.
SECTION_FOR_KIND = {
    "dataset": ("data", ""),
    "view": ("views", ""),
    "backbone": ("encoder", ""),
    "head": ("encoder", "head_"),
    "objective": ("objective", ""),
    "evaluator": ("eval", None),  # None: the prefix is "<name>_"
}


def stdout_console() -> Console:
    """Return a console on the current ``sys.stdout``; wide when piped, so tables are not squeezed to 80 columns."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160
    return console


def toml_value(value: Any) -> str:
    """Format a Python value the way a recipe would write it (arrays on one line)."""
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    try:
        return tomli_w.dumps({"v": value}).strip()[len("v = ") :]
    except (TypeError, ValueError):
        return repr(value)


def format_parameters(params: dict[str, Any]) -> str:
    """Return ``a=1, b="x", c`` (parameters without a default are named bare)."""
    return ", ".join(k if v is inspect.Parameter.empty else f"{k}={toml_value(v)}" for k, v in params.items())


def plugins_table(registry: Registry) -> Table:
    """Return the table of discovered plug-ins and what each provides."""
    counts: dict[str, Counter[str]] = {}
    for item in registry.components():
        counts.setdefault(item.plugin, Counter())[item.kind] += 1
    table = Table(title="anyclr plug-ins", title_justify="left")
    for col in ("name", "version", "distribution", "status", "provides", "reason"):
        table.add_column(col, no_wrap=col in ("name", "status"), overflow="fold")
    for info in registry.plugins:  # built-ins first
        provides = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(counts.get(info.name, {}).items()))
        status = Text(info.status, style="green" if info.status == "ok" else "bold red")
        table.add_row(escape(info.name), info.version, escape(info.distribution), status, provides, escape(info.reason))
    return table


def plugin_notes(registry: Registry) -> list[Text]:
    """Return one line per renamed plug-in and per component-name clash (built-ins keep the plain names)."""
    return [
        Text.assemble(("Note: ", "yellow"), f"plug-in {info.name!r}: {note}.")
        for info in registry.plugins
        for note in info.notes
    ]


def components_table(items: list[Component | Recipe]) -> Table:
    """Return the table of components: kind, name, modality, plug-in, summary and parameters."""
    table = Table(title=f"anyclr components ({len(items)})", title_justify="left")
    table.add_column("kind", no_wrap=True)
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("modality", no_wrap=True)
    table.add_column("plug-in", no_wrap=True)
    table.add_column("summary", ratio=3)
    table.add_column("parameters", ratio=2)
    for item in items:
        summary, params, problem = listing_fields(item)
        shown = Text(problem, style="red") if problem else escape(format_parameters(params or {}))
        table.add_row(item.kind, escape(item.name), item.modality, escape(item.plugin), escape(summary), shown)
    return table


def listing_fields(item: Component | Recipe) -> tuple[str, dict[str, Any] | None, str]:
    """Return (summary, parameters, problem) of a listing row; a component that cannot be imported is listed with why."""
    try:
        return item.describe(), item.parameters() if isinstance(item, Component) else None, ""
    except AnyclrError as exc:
        return item.summary, None, exc.message


def recipe_sections(recipe: Recipe) -> dict[str, Any]:
    """Return the recipe's parsed TOML, or {} if it cannot be read (``anyclr show`` reports why)."""
    try:
        return tomllib.loads(recipe.text())
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def recipes_table(recipes: list[Recipe]) -> Table:
    """Return the table of recipes with the components each one combines."""
    table = Table(title=f"anyclr recipes ({len(recipes)})", title_justify="left")
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("modality", no_wrap=True)
    table.add_column("plug-in", no_wrap=True)
    table.add_column("data · views · encoder · objective")
    table.add_column("summary", ratio=2)
    for recipe in recipes:
        cfg = recipe_sections(recipe)
        parts = [str(cfg.get(s, {}).get("name", "?")) for s in ("data", "views", "encoder", "objective")]
        table.add_row(escape(recipe.name), recipe.modality, escape(recipe.plugin), escape(" · ".join(parts)), escape(recipe.describe()))
    return table


def recipe_snippet(component: Component) -> str:
    """Return the TOML lines that select ``component`` in a recipe, with its parameters at their defaults."""
    if component.kind == "augmentation":  # a table in a views pipeline
        params = [f"{k} = {toml_value(v)}" for k, v in component.parameters().items() if v is not inspect.Parameter.empty and v is not None]
        return "\n".join(["[views]", 'name = "compose"', f"augmentations = [{{{', '.join([f'name = {toml_value(component.name)}', *params])}}}]"])
    if component.kind == "codec":
        return f"# used by `anyclr shard` for datasets whose info names codec = {toml_value(component.name)}; not set in recipes"
    section, prefix = SECTION_FOR_KIND.get(component.kind, ("?", ""))
    lines = [f"[{section}]"]
    if component.kind == "head":
        lines.append(f"head = {toml_value(component.name)}")
    elif component.kind == "evaluator":
        lines.append(f"protocols = [{toml_value(component.name)}]  # with the other protocols you want")
        prefix = f"{component.name}_"
    else:
        lines.append(f"name = {toml_value(component.name)}")
    for key, default in component.parameters().items():
        if default is inspect.Parameter.empty:
            lines.append(f"# {prefix}{key} = …  (required; filled from the dataset or backbone when they provide it)")
        else:
            lines.append(f"{prefix}{key} = {toml_value(default)}")
    return "\n".join(lines)


def component_details(component: Component) -> Group:
    """Return a component's header, docstring, parameter table and recipe snippet."""
    title = Text.assemble(
        (f"{component.kind} ", "dim"), (component.name, "bold"), (f"  plug-in {component.plugin} · modality {component.modality}", "dim")
    )
    doc = component.doc() or component.describe() or "(no documentation)"
    params = Table(title="parameters", title_justify="left", show_edge=False)
    params.add_column("name", no_wrap=True)
    params.add_column("default")
    for key, default in component.parameters().items():
        params.add_row(key, "(required)" if default is inspect.Parameter.empty else escape(toml_value(default)))
    snippet = Text(recipe_snippet(component), style="cyan")
    parts: list[Any] = [title]
    if component.summary:
        parts.append(Text(component.summary, style="italic"))
    parts += [Text(""), Text(doc), Text("")]
    if component.parameters():
        parts += [params, Text("")]
    parts += [Text("In a recipe:", style="dim"), snippet, Text("")]
    return Group(*parts)
