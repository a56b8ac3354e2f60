"""Shared fixtures: a registry with the event plug-in (before its entry point is installed) and small logs."""

from __future__ import annotations

import pandas as pd
import pytest

from anyclr.core.registry import Registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The plug-ins these tests use, registered in-process."""
    import anyclr.evaluators.plugin
    import anyclr.heads.plugin
    import anyclr.objectives.plugin
    import anyclr.plugins.events.plugin as events
    import anyclr.shards.plugin
    import anyclr.views.plugin

    modules = {
        "events": events, "evaluators": anyclr.evaluators.plugin, "heads": anyclr.heads.plugin,
        "objectives": anyclr.objectives.plugin, "views": anyclr.views.plugin, "shards": anyclr.shards.plugin,
    }  # fmt: skip
    return Registry(extra_plugins=list(modules.items()), entry_points=False)


@pytest.fixture(scope="session")
def cache(tmp_path_factory) -> str:
    """A cache folder shared by the session's tests (the simulated set is generated once)."""
    return str(tmp_path_factory.mktemp("anyclr-cache"))


@pytest.fixture
def small_set(cache, monkeypatch):
    """The simulated transactions with 40 training and 12 test clients (seconds to generate, once)."""
    monkeypatch.setenv("ANYCLR_CACHE", cache)
    from anyclr.plugins.events.datasets.bundled import transactions_folder

    return transactions_folder(clients=40, test_clients=12)


def write_log(path, rows: list[dict], **kwargs) -> str:
    """Write rows as a CSV or Parquet log (by the file name); return its path."""
    table = pd.DataFrame(rows)
    if str(path).endswith(".parquet"):
        table.to_parquet(path, index=False, **kwargs)
    else:
        table.to_csv(path, index=False, **kwargs)
    return str(path)
