"""Find TU datasets that ship inside installed packages (grakel's wheel carries MUTAG), so nothing is downloaded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from anyclr.core.errors import AnyclrError, unknown_name

PREFIX = "bundled:"

# Packages whose wheels carry TU-format folders, and where inside the package they are.
_SOURCES = (("grakel", "tests/data"),)


def bundled_roots() -> list[Path]:
    """Return the installed folders that hold bundled TU datasets."""
    roots = []
    for package, sub in _SOURCES:
        spec = importlib.util.find_spec(package)  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            root = Path(location) / sub
            if root.is_dir():
                roots.append(root)
    return roots


def bundled_datasets() -> dict[str, Path]:
    """Return ``{name: folder}`` for every bundled TU dataset found."""
    found: dict[str, Path] = {}
    for root in bundled_roots():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if (folder / f"{folder.name}_A.txt").is_file():
                found.setdefault(folder.name, folder)
    return found


def find_bundled(name: str) -> Path:
    """Return the folder of the bundled TU dataset ``name`` (case-insensitive), or raise a clear error."""
    found = bundled_datasets()
    if not found:
        raise AnyclrError(
            f"No bundled graph datasets found (looked for {name!r} in the grakel package).",
            "Install grakel (`pip install grakel`, part of anyclr[graph]) or set data.path to a TU-format folder.",
        )
    by_lower = {k.lower(): v for k, v in found.items()}
    if name.lower() not in by_lower:
        raise unknown_name("bundled graph dataset", name, found)
    return by_lower[name.lower()]
