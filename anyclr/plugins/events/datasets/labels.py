"""Entity labels: from a separate file (entity -> label columns) or from columns of the event log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.datasets.reader import log_format


def read_label_file(path: str | Path, id_column: str, columns: list[str]) -> dict[str, dict[str, str]]:
    """Return ``{column: {entity id: label text}}`` from a CSV/Parquet file with ``id_column`` and the label ``columns``."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise AnyclrError(f"Label file {path} does not exist.", "Set data.labels_path to a .csv or .parquet file: one row per entity.")
    try:
        table = pd.read_parquet(path) if log_format(path) == "parquet" else pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except AnyclrError:
        raise
    except pd.errors.EmptyDataError:
        raise AnyclrError(f"Label file {path} is empty.", f"Write a header ({id_column}, {', '.join(columns)}) and one row per entity.") from None
    except Exception as exc:
        raise AnyclrError(f"Could not read label file {path}: {type(exc).__name__}: {exc}") from None
    found = ", ".join(map(repr, table.columns))
    for key, column in [("data.id_column", id_column), *[("data.label_column / data.extra_labels", c) for c in columns]]:
        if column not in table.columns:
            raise AnyclrError(f"Label file {path} has no {column!r} column ({key}); its columns: {found}.", f"Fix {key}, or the file's header.")
    ids = table[id_column].astype("string")
    first_row = 2 if log_format(path) == "csv" else 1
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise AnyclrError(f"{path.name}, {'line' if first_row == 2 else 'row'} {row + first_row}: no entity id in column {id_column!r}.")
    duplicated = ids.duplicated(keep="first").to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise AnyclrError(
            f"{path.name}, {'line' if first_row == 2 else 'row'} {row + first_row}: entity {ids.iloc[row]!r} is listed twice.",
            "Give each entity one row of labels.",
        )
    out = {}
    for column in columns:
        values = table[column].astype("string")
        out[column] = {i: v for i, v in zip(ids.tolist(), values.tolist(), strict=True) if v is not pd.NA and v != ""}
    return out


def class_order(values: list[str]) -> list[str]:
    """Return distinct label texts in natural order (numbers by value, then text)."""

    def key(v: str) -> tuple[int, float, str]:
        try:
            return (0, float(v), v)
        except ValueError:
            return (1, 0.0, v)

    return sorted(set(values), key=key)


def encode(texts: np.ndarray, classes: list[str]) -> np.ndarray:
    """Map label texts to class indices; empty or unknown texts become -1."""
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index.get(t, -1) if isinstance(t, str) and t else -1 for t in texts], dtype=np.int64)
