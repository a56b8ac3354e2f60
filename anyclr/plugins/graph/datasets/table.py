"""Read the small comma/whitespace-separated text tables graph datasets come in, with errors that name file and line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from anyclr.core.errors import AnyclrError

_SPLIT = re.compile(r"[,;\s]+")


def read_lines(path: Path) -> list[list[str]]:
    """Return the fields of every line; trailing blank lines are ignored, blank lines inside are errors."""
    try:
        text = Path(path).read_text()
    except UnicodeDecodeError:
        raise AnyclrError(f"{path} is not a text file.", "Graph data files are comma- or space-separated text.") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    rows = []
    for i, line in enumerate(lines, 1):
        fields = [f for f in _SPLIT.split(line.strip()) if f]
        if not fields:
            raise AnyclrError(f"{path}, line {i}: empty line.", "Every line must hold a value; delete the blank line.")
        rows.append(fields)
    return rows


def check_width(path: Path, rows: list[list[str]], width: int | None = None, hint: str = "") -> int:
    """Raise unless every row has ``width`` fields (the first row's count when not given); return the width."""
    if not rows:
        return width or 0
    expected = width if width is not None else len(rows[0])
    for i, row in enumerate(rows, 1):
        if len(row) != expected:
            where = f"where {expected} are expected" if width is not None else f"but line 1 has {expected}"
            raise AnyclrError(
                f"{path}, line {i}: {len(row)} values, {where}.",
                hint or "Every line of this file must have the same number of comma-separated values.",
            )
    return expected


def to_array(path: Path, rows: list[list[str]], dtype: type, first_line: int = 1) -> np.ndarray:
    """Convert equal-width string rows to a ``[rows, cols]`` array, naming the first line that does not parse."""
    if not rows:
        return np.zeros((0, 0), dtype=dtype)
    try:
        values = _ints(rows) if dtype is int else np.array(rows, dtype=np.float64)
    except (ValueError, OverflowError):
        values = None
    if values is not None and (dtype is int or np.isfinite(values).all()):
        return values
    for i, row in enumerate(rows, first_line):
        for value in row:
            try:
                ok = np.isfinite(float(value)) if dtype is float else _int(value) is not None
            except (ValueError, OverflowError):
                ok = False
            if not ok:
                kind = "a finite number" if dtype is float else "an integer"
                raise AnyclrError(f"{path}, line {i}: {value!r} is not {kind}.")
    raise AnyclrError(f"{path}: could not read the values as numbers.")  # pragma: no cover - unreachable


def _int(value: str) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _ints(rows: list[list[str]]) -> np.ndarray:
    try:
        return np.array(rows, dtype=np.int64)
    except ValueError:  # integers written as "1.0" are fine; "1.5" is not
        values = np.array(rows, dtype=np.float64)
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
            raise
        return values.astype(np.int64)


def read_table(path: Path, dtype: type = float, width: int | None = None, hint: str = "") -> np.ndarray:
    """Read a whole table as a ``[rows, cols]`` array of ``dtype`` (int or float) with checked widths."""
    rows = read_lines(path)
    check_width(path, rows, width, hint)
    return to_array(path, rows, dtype)
