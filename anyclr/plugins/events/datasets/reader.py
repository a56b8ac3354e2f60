"""Read a CSV or Parquet event log chunk by chunk into compact arrays grouped by entity and sorted by time.

Parquet files are read one record batch at a time (row groups), CSV files in chunks of rows, and a folder of
such files (partitions: ``part-0.parquet``, ``date=2025-01/…``) one file after the other; each chunk is
turned into flat NumPy arrays at once (entity index, time, categorical codes, numeric values), so a large log
never becomes one Python object per event or per entity. Rows that cannot be used (no entity, no time, a
number that is not a number) are errors naming the file, column and row, or, up to ``max_bad_fraction``
of the rows, dropped and counted in a note.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.datasets.codes import value_codes

log = logging.getLogger("anyclr.events")

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".gz", ".bz2", ".zip", ".xz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


@dataclass
class Schema:
    """Which columns of a log are what (``data.id_column``, ``data.time_column``, ``data.categorical`` …)."""

    id_column: str = "id"
    time_column: str = "time"
    categorical: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)
    log1p: list[str] = field(default_factory=list)  # numeric fields read as sign(x) * log1p(|x|) (amounts)
    label_columns: list[str] = field(default_factory=list)  # labels held in the log itself (the entity's last value)

    def check(self) -> None:
        """Raise for a schema that cannot be read (a log1p field that is not numeric, a column named twice)."""
        stray = [c for c in self.log1p if c not in self.numeric]
        if stray:
            raise AnyclrError(f"data.log1p names {', '.join(map(repr, stray))}, which data.numeric does not list.", "log1p applies to numeric fields only.")
        named = [self.id_column, self.time_column, *self.categorical, *self.numeric]
        twice = sorted({c for c in named if named.count(c) > 1})
        if twice:
            raise AnyclrError(f"Column {twice[0]!r} is named twice among data.id_column, data.time_column, data.categorical and data.numeric.")

    def columns(self) -> list[str]:
        """Return every column the log must have, in order, without repeats."""
        return list(dict.fromkeys([self.id_column, self.time_column, *self.categorical, *self.numeric, *self.label_columns]))


@dataclass
class EventLog:
    """A log's events sorted by (entity, time), entity ``i``'s events at ``starts[i]:ends[i]``."""

    source: str
    ids: np.ndarray  # [N] entity ids as text
    starts: np.ndarray  # [N] int64
    ends: np.ndarray  # [N] int64
    time: np.ndarray  # [E] float64
    categorical: np.ndarray  # [E, Fc] int64 codes
    numeric: np.ndarray  # [E, Fn] float32
    time_kind: str  # "timestamp" (seconds since 1970, UTC) or "number"
    labels: dict[str, np.ndarray] = field(default_factory=dict)  # label columns of the log: [N] text, the entity's last value
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        """Events per entity ``[N]``."""
        return self.ends - self.starts

    def event_mask(self, entities: np.ndarray) -> np.ndarray:
        """Return ``[E]`` bool: True at the events of the given entity indices."""
        delta = np.zeros(len(self.time) + 1, np.int64)
        np.add.at(delta, self.starts[entities], 1)
        np.add.at(delta, self.ends[entities], -1)
        return np.cumsum(delta[:-1]) > 0

    def select(self, keep: np.ndarray) -> EventLog:
        """Return the log restricted to the entities where ``keep [N]`` is True (events stay shared)."""
        return EventLog(
            self.source, self.ids[keep], self.starts[keep], self.ends[keep], self.time, self.categorical, self.numeric,
            self.time_kind, {k: v[keep] for k, v in self.labels.items()}, list(self.notes),
        )  # fmt: skip


@dataclass
class _Bad:
    """Rows left out so far, and the first one (for the message)."""

    count: int = 0
    first: str = ""

    def add(self, rows: np.ndarray, where: str) -> None:
        if not len(rows):
            return
        self.count += len(rows)
        if not self.first:
            self.first = where


def log_format(path: Path) -> str:
    """Return ``parquet`` or ``csv`` from a file's name, or raise naming the file."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise AnyclrError(f"Cannot read event log {path}: unknown file type {suffix or '(none)'}.", "Give a .csv (or .csv.gz) or .parquet file.")


def read_columns(path: Path) -> list[str]:
    """Return the columns of a log without reading its rows."""
    try:
        if log_format(path) == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(path).schema_arrow.names)
        return [str(c) for c in pd.read_csv(path, nrows=0).columns]
    except AnyclrError:
        raise
    except pd.errors.EmptyDataError:
        raise AnyclrError(f"Event log {path} is empty (no header, no rows).", "Write a header line and one row per event.") from None
    except Exception as exc:  # pandas/pyarrow raise many types for a damaged file
        raise AnyclrError(f"Could not read event log {path}: {type(exc).__name__}: {exc}") from None


def chunks(path: Path, columns: Sequence[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield the log's rows in order, ``chunk_rows`` at a time (Parquet: record batches of its row groups)."""
    try:
        if log_format(path) == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=list(columns)):
                yield batch.to_pandas()
            return
        text = {c: "string" for c in columns[:1]}  # entity ids stay text ("007" is not 7)
        yield from pd.read_csv(path, usecols=list(columns), chunksize=chunk_rows, low_memory=False, dtype=text)
    except AnyclrError:
        raise
    except Exception as exc:
        raise AnyclrError(f"Could not read event log {path}: {type(exc).__name__}: {exc}") from None


class _Times:
    """Parses a time column chunk by chunk, deciding once whether it holds timestamps or numbers."""

    def __init__(self) -> None:
        self.kind = ""

    def parse(self, column: pd.Series) -> np.ndarray:
        """Return float64 times (NaN where unparseable): seconds since 1970 (UTC) for timestamps."""
        if not self.kind:
            self.kind = "timestamp" if _is_time(column) else "number"
        if self.kind == "number":
            if pd.api.types.is_datetime64_any_dtype(column.dtype):
                return np.full(len(column), np.nan)
            return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            return np.full(len(column), np.nan)  # numbers where timestamps were before
        stamps = column if pd.api.types.is_datetime64_any_dtype(column.dtype) else _to_datetime(column)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        seconds = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9
        return np.where(stamps.isna().to_numpy(), np.nan, seconds)


def _is_time(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return True
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return False
    sample = column.dropna().head(100)
    if not len(sample):
        return False
    if pd.to_numeric(sample, errors="coerce").notna().all():
        return False
    return bool(_to_datetime(sample).notna().mean() >= 0.5)


def _to_datetime(column: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(column, errors="coerce", format="ISO8601", utc=True).dt.tz_localize(None)
    except (ValueError, TypeError):
        return pd.to_datetime(column, errors="coerce", format="mixed", utc=True).dt.tz_localize(None)


def log_files(path: Path) -> list[Path]:
    """Return the file of a log, or the CSV/Parquet files of a partitioned log's folder (sorted, recursively)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise AnyclrError(f"Event log {path} does not exist.", "Set data.path to a .csv or .parquet file (or a folder of them) with one row per event.")
    parts = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_")) and p.suffix.lower() in CSV_SUFFIXES + PARQUET_SUFFIXES)
    if not parts:
        raise AnyclrError(f"Event log folder {path} holds no .csv or .parquet files.")
    return parts


def read_log(path: str | Path, schema: Schema, max_bad_fraction: float = 0.0, chunk_rows: int = 500_000) -> EventLog:
    """Read an event log (a file, or a folder of partition files) into an :class:`EventLog`; see the module docstring."""
    path = Path(path).expanduser()
    files = log_files(path)
    schema.check()
    for part in files:
        _check_columns(part, read_columns(part), schema)

    ids: dict[str, int] = {}
    label_values: dict[str, dict[str, int]] = {c: {} for c in schema.label_columns}
    parts: dict[str, list[np.ndarray]] = {"entity": [], "time": [], "categorical": [], "numeric": [], **{f"label:{c}": [] for c in schema.label_columns}}
    times = _Times()
    bad = _Bad()
    total = 0
    for part, start, chunk in _part_chunks(files, schema.columns(), chunk_rows):
        n = len(chunk)
        rows = np.arange(start, start + n)
        keep = np.ones(n, bool)
        row_name = "line" if log_format(part) == "csv" else "row"
        first_row = 2 if row_name == "line" else 1  # CSV lines count the header; Parquet rows count from 1

        def where(i: int, column: str, value: object, why: str, rows: np.ndarray = rows, part: Path = part, row_name: str = row_name, first_row: int = first_row) -> str:
            return f"{part.name}, {row_name} {rows[i] + first_row}, column {column!r}: {why} ({value!r})"

        entity_codes, uniques = pd.factorize(chunk[schema.id_column], use_na_sentinel=True)
        no_id = np.flatnonzero(entity_codes < 0)
        bad.add(no_id, where(no_id[0], schema.id_column, None, "no entity id") if len(no_id) else "")
        keep[no_id] = False
        lookup = np.array([ids.setdefault(str(u), len(ids)) for u in uniques], dtype=np.int64)
        entity = np.where(entity_codes >= 0, lookup[np.maximum(entity_codes, 0)] if len(lookup) else 0, -1)

        time = times.parse(chunk[schema.time_column])
        no_time = np.flatnonzero(np.isnan(time) & keep)
        if len(no_time):
            value = chunk[schema.time_column].iloc[no_time[0]]
            why = "missing time" if pd.isna(value) else f"not a {'timestamp' if times.kind == 'timestamp' else 'number'}"
            bad.add(no_time, where(no_time[0], schema.time_column, value, why))
        keep[no_time] = False

        numeric = np.zeros((n, len(schema.numeric)), np.float32)
        for j, name in enumerate(schema.numeric):
            raw = chunk[name]
            values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            not_number = np.flatnonzero(np.isnan(values) & raw.notna().to_numpy() & keep)
            if len(not_number):
                bad.add(not_number, where(not_number[0], name, raw.iloc[not_number[0]], "not a number"))
                keep[not_number] = False
            if name in schema.log1p:
                values = np.sign(values) * np.log1p(np.abs(values))
            numeric[:, j] = values
        categorical = np.stack([value_codes(chunk[c]) for c in schema.categorical], axis=1) if schema.categorical else np.zeros((n, 0), np.int64)

        parts["entity"].append(entity[keep])
        parts["time"].append(time[keep])
        parts["categorical"].append(categorical[keep])
        parts["numeric"].append(numeric[keep])
        for c in schema.label_columns:
            codes, uniques = pd.factorize(chunk[c].astype("string"), use_na_sentinel=True)
            table = label_values[c]
            lookup = np.array([table.setdefault(str(u), len(table)) for u in uniques], dtype=np.int64)
            parts[f"label:{c}"].append(np.where(codes >= 0, lookup[np.maximum(codes, 0)] if len(lookup) else -1, -1)[keep])
        total += n

    if total == 0:
        raise AnyclrError(f"Event log {path} has a header but no events.", "Write one row per event.")
    notes: list[str] = []
    if bad.count:
        if bad.count > max_bad_fraction * total:
            raise AnyclrError(
                f"{bad.first}" + (f"; {bad.count} of {total} rows cannot be used" if bad.count > 1 else ""),
                f"Fix those rows, or set data.max_bad_fraction (now {max_bad_fraction:g}) to leave up to that share of rows out.",
            )
        notes.append(f"{path.name}: left out {bad.count} of {total} rows that could not be used (first: {bad.first})")
    entity = np.concatenate(parts["entity"])
    time = np.concatenate(parts["time"])
    if not len(entity):
        raise AnyclrError(f"Event log {path}: none of its {total} rows can be used (first problem: {bad.first}).")
    labels_raw = {c: np.concatenate(parts[f"label:{c}"]) for c in schema.label_columns}
    return _group(
        path, entity, time, np.concatenate(parts["categorical"]), np.concatenate(parts["numeric"]), ids, times.kind or "number",
        labels_raw, label_values, notes,
    )  # fmt: skip


def _part_chunks(parts: list[Path], columns: list[str], chunk_rows: int) -> Iterator[tuple[Path, int, pd.DataFrame]]:
    """Yield ``(file, first row in the file, chunk)`` over every part in order."""
    for part in parts:
        start = 0
        for chunk in chunks(part, columns, chunk_rows):
            yield part, start, chunk
            start += len(chunk)


def _check_columns(path: Path, found: list[str], schema: Schema) -> None:
    listed = ", ".join(map(repr, found[:30])) + (" …" if len(found) > 30 else "")
    for key, column in (("data.id_column", schema.id_column), ("data.time_column", schema.time_column)):
        if column not in found:
            raise AnyclrError(f"Event log {path} has no {column!r} column ({key}); its columns: {listed}.", f"Set {key} to the column that holds it.")
    for key, names in (("data.categorical", schema.categorical), ("data.numeric", schema.numeric), ("data.label_column", schema.label_columns)):
        missing = [c for c in names if c not in found]
        if missing:
            raise AnyclrError(f"Event log {path} has no {missing[0]!r} column ({key}); its columns: {listed}.", f"Fix {key}.")


def _group(
    path: Path,
    entity: np.ndarray,
    time: np.ndarray,
    categorical: np.ndarray,
    numeric: np.ndarray,
    ids: dict[str, int],
    kind: str,
    labels_raw: dict[str, np.ndarray],
    label_values: dict[str, dict[str, int]],
    notes: list[str],
) -> EventLog:
    """Sort events by (entity, time), saying so once when some entity's events were out of time order."""
    by_entity = np.argsort(entity, kind="stable")
    e_sorted, t_sorted = entity[by_entity], time[by_entity]
    backwards = (np.diff(t_sorted) < 0) & (np.diff(e_sorted) == 0)
    if backwards.any():
        order = np.lexsort((time, entity))
        unsorted = len(np.unique(e_sorted[1:][backwards]))
        note = f"{path.name}: the events of {unsorted} entit{'y' if unsorted == 1 else 'ies'} were not in time order; sorted them by time"
        notes.append(note)
        log.warning("%s.", note)
    else:
        order = by_entity
    entity = entity[order]
    counts = np.bincount(entity, minlength=len(ids))
    present = np.flatnonzero(counts)  # entities whose every row was left out have no events
    ends = np.cumsum(counts)[present]
    starts = ends - counts[present]
    names = np.array(list(ids), dtype=object)[present]
    labels = {}
    for column, raw in labels_raw.items():
        text = np.array(list(label_values[column]) + [""], dtype=object)
        last = raw[order][ends - 1]  # the entity's value at its last event
        labels[column] = text[np.where(last >= 0, last, len(text) - 1)]
    for note in notes:
        if "not in time order" not in note:
            log.warning("%s.", note)
    return EventLog(str(path), names, starts, ends, time[order], categorical[order], numeric[order], kind, labels, notes)
