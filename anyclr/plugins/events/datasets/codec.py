"""How entities' events are stored in shards: ``time.npy``, ``categorical.npy`` and ``numeric.npy`` per entity."""

from __future__ import annotations

import numpy as np

from anyclr.core.codec import SampleCodec
from anyclr.plugins.events.batch import EventSequence, collate_events
from anyclr.plugins.events.datasets.aggregates import hashed_aggregates
from anyclr.shards.tensor_codec import npy_array, npy_bytes

MEMBERS = ("time", "categorical", "numeric")


def encode_events(sequence: EventSequence) -> dict[str, bytes]:
    """Encode one entity's events as one ``.npy`` member per field."""
    if not isinstance(sequence, EventSequence):
        raise TypeError(f"the events codec stores EventSequence samples, got {type(sequence).__name__}")
    return {f"{name}.npy": npy_bytes(np.asarray(getattr(sequence, name))) for name in MEMBERS}


def decode_events(record: dict[str, bytes]) -> EventSequence:
    """Rebuild the :class:`EventSequence` that :func:`encode_events` wrote."""
    missing = [name for name in MEMBERS if f"{name}.npy" not in record]
    if missing:
        raise ValueError(f"no {missing[0]}.npy member")
    arrays = {name: npy_array(record[f"{name}.npy"]) for name in MEMBERS}
    if not len(arrays["time"]) == len(arrays["categorical"]) == len(arrays["numeric"]):
        raise ValueError("time, categorical and numeric hold different numbers of events")
    return EventSequence(**arrays)


def events_codec() -> SampleCodec:
    """Entities' events as .npy members per field; batches padded with lengths; aggregates over hashed categories."""
    return SampleCodec(encode=encode_events, decode=decode_events, collate=collate_events, raw_features=hashed_aggregates)
