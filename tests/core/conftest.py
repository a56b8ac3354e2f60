"""Fixtures for the core's tests: a registry holding only the tiny in-process plug-in."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tinyplug  # noqa: E402

from anyclr.core.registry import Registry  # noqa: E402

FAST = ["eval.protocols=[]", "eval.baselines=[]", "eval.plots=false", "trainer.knn_every=0"]


def make_registry(*extra: tuple[str, object]) -> Registry:
    """Return a registry with the tiny plug-in (and ``extra`` plug-ins), without entry points."""
    return Registry(extra_plugins=[("testplug", tinyplug), *extra], entry_points=False)


@pytest.fixture
def registry() -> Registry:
    return make_registry()
