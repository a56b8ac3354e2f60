"""The bundled ``events-transactions`` set: simulated card transactions, written as real Parquet and CSV files.

Generated on first use into the anyclr cache (seconds): ``train`` and ``test`` logs with disjoint clients, in
both formats, and ``labels.csv`` (``client_id``, ``segment`` — the main label, 4 classes — and ``churn``).
"""

from __future__ import annotations

from pathlib import Path

from anyclr.core.cache import cached_folder
from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.datasets.files import load_events
from anyclr.plugins.events.datasets.simulator import simulate

VERSION = 1  # bump when the simulator changes, so old cached files are not reused
FORMATS = ("parquet", "csv")


def write_transactions(folder: Path, clients: int, test_clients: int, seed: int) -> None:
    """Simulate the clients and write ``train``/``test`` logs (Parquet and CSV) and ``labels.csv`` into ``folder``."""
    import pandas as pd

    train, train_labels = simulate(clients, seed=seed)
    test, test_labels = simulate(test_clients, seed=seed + 1_000_003, first_id=clients)
    for name, events in (("train", train), ("test", test)):
        events.to_parquet(folder / f"{name}.parquet", index=False, row_group_size=100_000)
        events.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    pd.concat([train_labels, test_labels]).to_csv(folder / "labels.csv", index=False)


def transactions_folder(clients: int = 3000, test_clients: int = 1000, seed: int = 0) -> Path:
    """Return the cache folder of the simulated set, generating it the first time."""
    if clients < 10 or test_clients < 1:
        raise AnyclrError(f"data.clients must be at least 10 and data.test_clients at least 1, got {clients} and {test_clients}.")
    name = f"events-transactions-v{VERSION}-{clients}-{test_clients}-seed{seed}"
    return cached_folder(name, lambda tmp: write_transactions(tmp, clients, test_clients, seed))


def transactions(
    format: str = "parquet",
    clients: int = 3000,
    test_clients: int = 1000,
    generate_seed: int = 0,
    path: str = "",
    min_count: int = 1,
    max_events: int = 0,
    calendar: str | bool = "auto",
) -> DataBundle:
    """Simulated card transactions (segment: 4 classes; churn: a second label), generated on first use.

    Args:
        format: read the ``parquet`` (default) or ``csv`` files.
        clients, test_clients: clients in the training and test logs (disjoint).
        generate_seed: the simulation's seed.
        path: read this log instead of the simulated training log (same columns; ``anyclr embed --data``).
        min_count, max_events, calendar: as for the ``events`` dataset.
    """
    if format not in FORMATS:
        raise AnyclrError(f"data.format must be one of {', '.join(FORMATS)}, got {format!r}.")
    folder = transactions_folder(clients, test_clients, generate_seed)
    train = path or str(folder / f"train.{format}")
    return load_events(
        train,
        test_path="" if path else str(folder / f"test.{format}"),
        labels_path=str(folder / "labels.csv"),
        id_column="client_id",
        time_column="event_time",
        categorical=("mcc", "channel"),
        numeric=("amount",),
        log1p=("amount",),
        label_column="segment",
        extra_labels=("churn",),
        min_count=min_count,
        max_events=max_events,
        calendar=calendar,
        test_fraction=0.0 if path else 0.25,
    )
