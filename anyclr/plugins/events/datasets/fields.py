"""What the encoder needs to know about a log's fields, fitted on the training entities only.

``fit_fields`` returns the ``event_fields`` info key (plain lists, so it can be written into shard headers):

- ``categorical``: per field, the codes of every value seen in training (sorted) and the embedding row of
  each: 1, 2 … by frequency for values seen at least ``min_count`` times, 0 (the unknown row) for rarer ones;
- ``numeric``: per field, the mean and standard deviation used to scale it;
- ``time``: ``kind`` (timestamp or number), the mean and standard deviation of ``log1p`` of the gaps between
  events, and whether calendar features (hour, weekday) are used.

The encoder keeps these as buffers, saved with its weights, so data embedded later is read the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anyclr.plugins.events.datasets.reader import EventLog


def fit_fields(
    log: EventLog, entities: np.ndarray, categorical: list[str], numeric: list[str], min_count: int = 1, calendar: bool = False
) -> dict[str, Any]:
    """Fit vocabularies, numeric scales and time-gap scales on the events of ``entities`` (indices into ``log``)."""
    events = log.event_mask(entities)
    fields: dict[str, Any] = {"categorical": {}, "numeric": {}}
    for j, name in enumerate(categorical):
        codes, counts = np.unique(log.categorical[events, j], return_counts=True)
        order = np.argsort(-counts, kind="stable")
        rows = np.zeros(len(codes), np.int64)
        frequent = order[counts[order] >= min_count]
        rows[frequent] = np.arange(1, len(frequent) + 1)
        fields["categorical"][name] = {"codes": codes.tolist(), "rows": rows.tolist(), "size": int(len(frequent) + 1)}
    for j, name in enumerate(numeric):
        values = log.numeric[events, j].astype(np.float64)
        values = values[np.isfinite(values)]
        mean = float(values.mean()) if len(values) else 0.0
        std = float(values.std()) if len(values) else 1.0
        fields["numeric"][name] = {"mean": mean, "std": std if std > 0 else 1.0}
    gaps = log_gaps(log.time, log.starts[entities], log.ends[entities])
    std = float(gaps.std()) if len(gaps) else 1.0
    fields["time"] = {
        "kind": log.time_kind,
        "gap_mean": float(gaps.mean()) if len(gaps) else 0.0,
        "gap_std": std if std > 0 else 1.0,
        "calendar": bool(calendar),
    }
    return fields


def log_gaps(time: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return ``log1p`` of every gap between consecutive events of the given entities."""
    lengths = ends - starts
    if not lengths.sum():
        return np.zeros(0)
    index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    first = np.zeros(len(index), bool)
    first[np.cumsum(lengths)[:-1]] = True
    first[0] = True
    gaps = np.diff(time[index], prepend=time[index[0]])[~first]
    return np.log1p(np.maximum(gaps, 0.0))


def unseen_events(log: EventLog, entities: np.ndarray, fields: dict[str, Any], categorical: list[str]) -> dict[str, int]:
    """Count, per categorical field, the events of ``entities`` whose value the training entities never had."""
    events = log.event_mask(entities)
    out = {}
    for j, name in enumerate(categorical):
        known = np.asarray(fields["categorical"][name]["codes"], dtype=np.int64)
        n = int((~np.isin(log.categorical[events, j], known)).sum())
        if n:
            out[name] = n
    return out
