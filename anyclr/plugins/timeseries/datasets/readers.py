"""Read a panel of series from .ts, .arff, .tsv, .csv or .npy files, with errors that name the file and row."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anyclr.core.errors import AnyclrError

FORMATS = (".ts", ".arff", ".tsv", ".csv", ".npy")
LABEL_COLUMNS = ("first", "last", "none")
MISSING_TOKENS = {"", "nan", "?", "na", "null"}


@dataclass
class Panel:
    """Series as read from one source: each ``[T_i, C]`` float64 (NaN = missing), labels, and where each came from."""

    series: list[np.ndarray]
    labels: list[str] | None
    source: str  # a file path or "GunPoint (aeon, train split)"
    rows: list[str]  # per series, e.g. "line 7" or "case 3"

    def where(self, i: int) -> str:
        """Describe where series ``i`` came from, e.g. ``data/x.tsv, line 7``."""
        return f"{self.source}, {self.rows[i]}"


def read_panel(path: str | Path, label_column: str = "first", labels_path: str | Path | None = None, layout: str = "ntc") -> Panel:
    """Read a panel file by its suffix (see :data:`FORMATS`)."""
    path = Path(path)
    if not path.is_file():
        raise AnyclrError(f"Time-series file {path} does not exist.", "Check data.path (and data.test_path).")
    suffix = path.suffix.lower()
    readers: dict[str, Callable[[], Panel]] = {
        ".ts": lambda: _read_aeon(path, "ts"),
        ".arff": lambda: _read_aeon(path, "arff"),
        ".tsv": lambda: read_delimited(path, "\t", label_column),
        ".csv": lambda: read_delimited(path, ",", label_column),
        ".npy": lambda: read_npy(path, labels_path, layout),
    }
    if suffix not in readers:
        raise AnyclrError(f"{path}: unsupported file type {suffix or '(none)'!r}.", f"Supported: {', '.join(FORMATS)}.")
    panel = readers[suffix]()
    if labels_path is not None and suffix != ".npy":
        panel.labels = read_labels(Path(labels_path), len(panel.series))
    return panel


def _read_aeon(path: Path, kind: str) -> Panel:
    try:
        from aeon.datasets import load_from_arff_file, load_from_ts_file
    except ImportError:
        raise AnyclrError(f"Reading {path} needs aeon.", "pip install 'anyclr[timeseries]' (or aeon).") from None
    loader = load_from_ts_file if kind == "ts" else load_from_arff_file
    try:
        X, y = loader(str(path))
    except Exception as exc:  # aeon raises OSError/ValueError/IndexError with a message about the case
        message = re.sub(r"<_io\.TextIOWrapper[^>]*>\.?\s*", "", str(exc)).strip() or type(exc).__name__
        raise AnyclrError(f"Could not read {path}: {message}", "Check that every row has the same channels and fields.") from None
    series = [np.asarray(case, dtype=np.float64).T for case in X]  # aeon cases are [C, T]
    lines = data_lines(path) if kind == "ts" else []
    rows = [f"line {lines[i]}" if i < len(lines) else f"case {i + 1}" for i in range(len(series))]
    labels = [str(v) for v in y] if y is not None and len(y) == len(series) else None
    return Panel(series, labels, str(path), rows)


def data_lines(path: Path) -> list[int]:
    """Return the 1-based line numbers of a .ts file's data rows (after @data; blank and # lines skipped)."""
    out: list[int] = []
    in_data = False
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if in_data:
                out.append(n)
            elif text.lower().startswith("@data"):
                in_data = True
    return out


def read_delimited(path: Path, sep: str, label_column: str = "first") -> Panel:
    """Read one series per row (UCR's .tsv layout); missing values are empty, NaN or ``?``.

    Every row must have the same number of fields (UCR pads short series with NaN); a first row whose
    values are not numbers is taken as a header.
    """
    if label_column not in LABEL_COLUMNS:
        raise AnyclrError(f"data.label_column must be one of {', '.join(LABEL_COLUMNS)}, got {label_column!r}.")
    series, labels, rows = [], [], []
    width = None
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            fields = text.split(sep)
            label = None
            if label_column == "first":
                label, fields = fields[0].strip(), fields[1:]
            elif label_column == "last":
                label, fields = fields[-1].strip(), fields[:-1]
            values = _parse_values(fields)
            if values is None:
                if width is None and not series:
                    continue  # a header row
                bad = next(i for i, v in enumerate(fields) if _parse_values([v]) is None)
                raise AnyclrError(
                    f"{path}, line {n}: value {bad + 1} ({fields[bad].strip()!r}) is not a number.",
                    "Missing values may be empty, NaN or ?.",
                )
            if width is None:
                width = len(fields)
            elif len(fields) != width:
                raise AnyclrError(
                    f"{path}, line {n}: {len(fields)} values, but the first row has {width} (ragged rows).",
                    "Give every row the same number of fields; pad shorter series with NaN.",
                )
            series.append(values[:, None])
            labels.append(label)
            rows.append(f"line {n}")
    if not series:
        raise AnyclrError(f"{path} holds no series.")
    return Panel(series, labels if label_column != "none" else None, str(path), rows)


def _parse_values(fields: list[str]) -> np.ndarray | None:
    out = np.empty(len(fields), dtype=np.float64)
    for i, v in enumerate(fields):
        v = v.strip()
        if v.lower() in MISSING_TOKENS:
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except ValueError:
            return None
    return out


def read_npy(path: Path, labels_path: str | Path | None = None, layout: str = "ntc") -> Panel:
    """Read a ``[N, T]`` or ``[N, T, C]`` array (``layout="nct"`` for aeon's ``[N, C, T]``); NaN = missing."""
    if layout not in ("ntc", "nct"):
        raise AnyclrError(f"data.layout must be 'ntc' or 'nct', got {layout!r}.")
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise AnyclrError(
            f"Could not read {path}: {exc}",
            "Ragged series cannot be stored in .npy; pad them with NaN to one length.",
        ) from None
    if not np.issubdtype(arr.dtype, np.number):
        raise AnyclrError(f"{path}: the array is not numeric (dtype {arr.dtype}).")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    elif arr.ndim == 3 and layout == "nct":
        arr = arr.transpose(0, 2, 1)
    elif arr.ndim != 3:
        raise AnyclrError(f"{path}: expected an array [series, time] or [series, time, channels], got shape {arr.shape}.")
    series = [a.astype(np.float64) for a in arr]
    labels = read_labels(Path(labels_path), len(series)) if labels_path is not None else None
    return Panel(series, labels, str(path), [f"series {i}" for i in range(len(series))])


def read_labels(path: Path, n: int) -> list[str]:
    """Read ``n`` labels from a .npy array or a text file with one label per line."""
    if not path.is_file():
        raise AnyclrError(f"Label file {path} does not exist.", "Check data.labels_path.")
    if path.suffix.lower() == ".npy":
        values = [str(v) for v in np.load(path, allow_pickle=False).reshape(-1)]
    else:
        values = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(values) != n:
        raise AnyclrError(f"{path} has {len(values)} labels but the data has {n} series.")
    return values
