"""Write small TU-format datasets into a temporary folder (tests make their own data)."""

from __future__ import annotations

from pathlib import Path

# Three graphs: a triangle (graph 1), a path of 3 (graph 2), an edge (graph 3); undirected, 1-based ids.
EDGES = [(1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (7, 8)]
INDICATOR = [1, 1, 1, 2, 2, 2, 3, 3]
GRAPH_LABELS = ["1", "-1", "1"]


def both_ways(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return every edge in both directions."""
    return [e for u, v in edges for e in ((u, v), (v, u))]


def write_tu(folder: Path, name: str = "TOY", **files: list[str] | None) -> Path:
    """Write NAME_*.txt files; ``files`` maps a suffix (``A``, ``graph_labels`` …) to its lines (None: omit)."""
    folder.mkdir(parents=True, exist_ok=True)
    defaults: dict[str, list[str] | None] = {
        "A": [f"{u}, {v}" for u, v in both_ways(EDGES)],
        "graph_indicator": [str(g) for g in INDICATOR],
        "graph_labels": list(GRAPH_LABELS),
    }
    defaults.update(files)
    for suffix, lines in defaults.items():
        if lines is not None:
            (folder / f"{name}_{suffix}.txt").write_text("\n".join(lines) + "\n")
    return folder
