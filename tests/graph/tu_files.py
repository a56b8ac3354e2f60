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


def write_classes_tu(folder: Path, class_sizes: list[int], name: str = "SYN", seed: int = 0) -> Path:
    """Write a TU dataset with ``class_sizes[c]`` graphs of class ``c``: rings of a class-dependent length, with chords."""
    import random

    rng = random.Random(seed)
    edges, indicator, labels, node_labels = [], [], [], []
    node = 0
    graph = 0
    for c, count in enumerate(class_sizes):
        for _ in range(count):
            graph += 1
            n = 4 + 2 * c + rng.randint(0, 2)
            ids = list(range(node + 1, node + n + 1))
            pairs = [(ids[i], ids[(i + 1) % n]) for i in range(n)] + [(ids[0], ids[rng.randint(2, n - 2)])]
            edges += both_ways(pairs)
            indicator += [graph] * n
            labels.append(c)
            node_labels += [rng.randint(0, 2) for _ in ids]
            node += n
    return write_tu(
        folder, name,
        A=[f"{u}, {v}" for u, v in edges],
        graph_indicator=[str(g) for g in indicator],
        graph_labels=[str(c) for c in labels],
        node_labels=[str(v) for v in node_labels],
    )
