"""A map-style dataset of entities: sample ``i`` is entity ``i``'s events (views into the log's arrays) and its label."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from anyclr.plugins.events.batch import EventSequence
from anyclr.plugins.events.datasets.reader import EventLog


class EventSequences(Dataset):
    """The entities ``index`` of an :class:`EventLog`, with their label columns (``label`` first, -1 where unknown).

    Samples are slices of the log's arrays (no copy until collation); metadata (labels, entity ids) is
    declared without reading any event.
    """

    def __init__(self, log: EventLog, index: np.ndarray, labels: dict[str, np.ndarray], max_events: int = 0) -> None:
        self.log = log
        self.index = np.asarray(index, dtype=np.int64)
        self.labels = {k: np.asarray(v, dtype=np.int64) for k, v in labels.items()}
        self.starts = log.starts[self.index]
        self.ends = log.ends[self.index]
        if max_events > 0:  # keep each entity's most recent events
            self.starts = np.maximum(self.starts, self.ends - max_events)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> tuple[EventSequence, int]:
        s, e = self.starts[i], self.ends[i]
        seq = EventSequence(self.log.time[s:e], self.log.categorical[s:e], self.log.numeric[s:e])
        return seq, int(self.labels["label"][i])

    def sample_metadata(self) -> dict[str, Any]:
        """Return every label column and the entity ids."""
        meta: dict[str, Any] = {k: torch.from_numpy(v) for k, v in self.labels.items()}
        meta["id"] = self.log.ids[self.index].tolist()
        return meta

    def lengths(self) -> np.ndarray:
        """Events per entity ``[N]`` (after ``max_events``)."""
        return self.ends - self.starts
