"""``anyclr new-plugin``: write a ready-to-install third-party plug-in package from templates."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

from anyclr.core.errors import AnyclrError

TEMPLATE_PACKAGE = "anyclr.scaffold"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RESERVED = ("anyclr", "core", "plugins")  # besides the built-in plug-ins' names, read from anyclr's metadata


def plugin_names(name: str) -> dict[str, str]:
    """Return the template variables for plug-in ``name``: entry point, distribution, module."""
    name = name.strip().lower()
    name = name.removeprefix("anyclr-").removesuffix("-plugin")
    if not NAME_PATTERN.match(name):
        raise AnyclrError(
            f"Plug-in name {name!r} is not valid.",
            "Use lowercase letters, digits and single hyphens, starting with a letter (e.g. 'my-audio').",
        )
    taken = reserved_names()
    if name in taken:
        raise AnyclrError(
            f"Plug-in name {name!r} is taken by anyclr itself (a built-in plug-in or package).",
            f"Choose another name (taken: {', '.join(sorted(taken))}), e.g. 'my-{name}'.",
        )
    module = f"anyclr_{name.replace('-', '_')}_plugin"
    return {"name": name, "dist": f"anyclr-{name}-plugin", "module": module}


def reserved_names() -> set[str]:
    """Return the names a new plug-in cannot take: the built-in plug-ins' and anyclr's own."""
    from anyclr.core.registry import builtin_plugin_names

    return {*RESERVED, *builtin_plugin_names()}


def template_files() -> dict[str, str]:
    """Return ``{relative path with placeholders: template text}`` for every scaffold file."""
    root = resources.files(TEMPLATE_PACKAGE)
    out: dict[str, str] = {}

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name in ("__pycache__", "__init__.py") and prefix == "":
                continue
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".tmpl"):
                out[prefix + child.name[: -len(".tmpl")]] = child.read_text()

    walk(root, "")
    return out


def render(name: str) -> dict[str, str]:
    """Return ``{relative path: file text}`` of the plug-in package for ``name``."""
    names = plugin_names(name)
    out = {}
    for rel, text in template_files().items():
        path = rel.replace("__module__", names["module"]).replace("__name__", names["name"])
        out[path] = Template(text).substitute(names)
    return out


def scaffold(name: str, directory: Path) -> Path:
    """Write the plug-in package for ``name`` under ``directory`` and return its root folder."""
    names = plugin_names(name)
    root = Path(directory) / names["dist"]
    if root.exists() and any(root.iterdir()):
        raise AnyclrError(f"{root} already exists and is not empty.", "Choose another --dir or name, or remove it.")
    for rel, text in render(name).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
