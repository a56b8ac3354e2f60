"""Finding a dataset's files: class folders and CSV/Parquet manifests (the same for images, audio, video, 3-D …).

Both return a :class:`FileTable`: one row per sample (path, label, optional start/end seconds and group), read
without opening any sample, so readers can decode lazily and declare labels and groups as metadata.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyclr.core.errors import AnyclrError


@dataclass
class FileTable:
    """The samples of a file-based dataset: where each is, its label, and optional clip bounds and group."""

    paths: list[Path]
    labels: list[int]
    class_names: list[str]
    starts: list[float] | None = None  # seconds into the file (manifests with a start column)
    ends: list[float] | None = None
    groups: list[str] | None = None  # speaker, video, patient …: whole groups go to one side of a split
    rows: list[str] = field(default_factory=list)  # where each sample was listed, for messages ("manifest.csv, row 7")

    def __len__(self) -> int:
        return len(self.paths)

    def where(self, i: int) -> str:
        """Describe sample ``i`` for a message: its file, and its manifest row when it came from one."""
        return f"{self.paths[i]} ({self.rows[i]})" if self.rows else str(self.paths[i])

    def subset(self, idx: Sequence[int]) -> FileTable:
        """Return the rows at ``idx``."""
        pick = [int(i) for i in idx]

        def take(values: list[Any] | None) -> list[Any] | None:
            return None if values is None else [values[i] for i in pick]

        return FileTable(
            [self.paths[i] for i in pick], [self.labels[i] for i in pick], list(self.class_names),
            take(self.starts), take(self.ends), take(self.groups), take(self.rows) or [],
        )  # fmt: skip


def scan_class_folder(root: str | Path, extensions: Sequence[str], what: str = "file", class_names: list[str] | None = None) -> FileTable:
    """Return the files under ``root/<class>/`` with one of ``extensions`` (sorted sub-folder names are the classes).

    A folder with files but no sub-folders is read as unlabelled (label -1). With ``class_names`` given (a test
    folder), labels follow that order and a class the training folder lacks is an error.
    """
    root = Path(root).expanduser()
    suffixes = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
    if not root.exists():
        raise AnyclrError(f"{what.capitalize()} folder {root} does not exist.", f"Set data.path to a folder of class sub-folders (root/<class>/*{suffixes[0]}).")
    if not root.is_dir():
        raise AnyclrError(f"{what.capitalize()} folder {root} is not a directory.", "Point data.path at the folder that holds the class folders.")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    paths: list[Path] = []
    labels: list[int] = []
    if classes:
        if class_names is not None:
            unknown = [c for c in classes if c not in class_names]
            if unknown:
                raise AnyclrError(
                    f"{what.capitalize()} folder {root} has classes the training folder lacks: {', '.join(unknown)}.",
                    "Train and test folders need the same class sub-folders.",
                )
        names = class_names if class_names is not None else classes
        for name in classes:
            found = sorted(p for p in (root / name).rglob("*") if p.suffix.lower() in suffixes and p.is_file())
            paths += found
            labels += [names.index(name)] * len(found)
    else:
        names = list(class_names or [])
        paths = sorted(p for p in root.iterdir() if p.suffix.lower() in suffixes and p.is_file())
        labels = [-1] * len(paths)
    if not paths:
        raise AnyclrError(
            f"{what.capitalize()} folder {root} has no {what}s ({', '.join(suffixes)}).",
            f"Expected root/<class>/<name>{suffixes[0]} (or files directly in root for unlabelled data).",
        )
    return FileTable(paths, labels, list(names))


MANIFEST_COLUMNS = ("path", "label", "start", "end", "group")


def read_manifest(path: str | Path, class_names: list[str] | None = None, check_files: bool = True) -> FileTable:
    """Read a CSV or Parquet manifest: ``path`` (relative to the manifest's folder), optional ``label``,
    ``start``/``end`` (seconds) and ``group``; errors name the manifest's row.

    Labels are mapped to ``class_names`` (given for a test manifest) or to the sorted distinct labels.
    """
    try:
        import pandas as pd
    except ImportError:
        raise AnyclrError("Reading a manifest needs pandas (and pyarrow for Parquet).", "pip install pandas pyarrow") from None
    path = Path(path).expanduser()
    if not path.is_file():
        raise AnyclrError(f"Manifest {path} does not exist.", "Set data.path to a .csv or .parquet file with a path column.")
    try:
        table = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
    except Exception as exc:  # pandas/pyarrow raise many types for a bad file
        raise AnyclrError(f"Could not read manifest {path}: {type(exc).__name__}: {exc}") from None
    if "path" not in table.columns:
        raise AnyclrError(f"Manifest {path} has no 'path' column (columns: {', '.join(map(str, table.columns))}).", f"Columns: {', '.join(MANIFEST_COLUMNS)}.")
    if table.empty:
        raise AnyclrError(f"Manifest {path} lists no files.")
    header = 2  # CSV rows as a spreadsheet numbers them: the header is row 1
    rows = [f"{path.name}, row {i + header}" for i in range(len(table))]
    paths = [(path.parent / str(p)).expanduser() if not Path(str(p)).is_absolute() else Path(str(p)) for p in table["path"]]
    if check_files:
        missing = next((i for i, p in enumerate(paths) if not p.is_file()), None)
        if missing is not None:
            raise AnyclrError(f"{rows[missing]}: file {paths[missing]} does not exist.", "Fix the path (relative paths start at the manifest's folder) or drop the row.")
    labels, names = _labels(table["label"] if "label" in table.columns else None, class_names, rows)
    starts = _seconds(table, "start", rows)
    ends = _seconds(table, "end", rows)
    if starts is not None and ends is not None:
        bad = next((i for i, (a, b) in enumerate(zip(starts, ends, strict=True)) if b <= a), None)
        if bad is not None:
            raise AnyclrError(f"{rows[bad]}: end ({ends[bad]}) is not after start ({starts[bad]}).")
    groups = [str(g) for g in table["group"]] if "group" in table.columns else None
    return FileTable(paths, labels, names, starts, ends, groups, rows)


def _labels(column: Any, class_names: list[str] | None, rows: list[str]) -> tuple[list[int], list[str]]:
    if column is None:
        return [-1] * len(rows), list(class_names or [])
    values = ["" if _missing(v) else str(v) for v in column]
    names = list(class_names) if class_names is not None else sorted({v for v in values if v}, key=_natural)
    index = {n: i for i, n in enumerate(names)}
    unknown = next((i for i, v in enumerate(values) if v and v not in index), None)
    if unknown is not None:
        raise AnyclrError(f"{rows[unknown]}: label {values[unknown]!r} is not among the training labels ({', '.join(names[:10])}).")
    return [index[v] if v else -1 for v in values], names


def _seconds(table: Any, column: str, rows: list[str]) -> list[float] | None:
    if column not in table.columns:
        return None
    out: list[float] = []
    for i, value in enumerate(table[column]):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise AnyclrError(f"{rows[i]}: {column} = {value!r} is not a number of seconds.") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise AnyclrError(f"{rows[i]}: {column} = {value!r} must be a finite number of seconds, 0 or more.")
        out.append(seconds)
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _natural(name: str) -> tuple[int, float, str]:
    try:
        return (0, float(name), name)
    except ValueError:
        return (1, 0.0, name)
