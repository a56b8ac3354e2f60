import os

import pytest
import torch

# Tests share a 2-core machine with other processes: one thread avoids oversubscription.
torch.set_num_threads(int(os.environ.get("ANYCLR_TEST_THREADS", "1")))


@pytest.fixture(autouse=True)
def _fresh_registry():
    """Each test starts with the process-wide registry reloaded from entry points."""
    from anyclr.core.registry import set_registry

    set_registry(None)
    yield
    set_registry(None)
