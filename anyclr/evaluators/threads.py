"""Keep scikit-learn / NumPy thread pools at torch's thread count while an evaluator runs."""

from __future__ import annotations

from contextlib import AbstractContextManager

import torch
from threadpoolctl import threadpool_limits


def like_torch() -> AbstractContextManager:
    """Limit OpenMP/BLAS threads to ``torch.get_num_threads()`` (trainer.threads) inside the block.

    Without this, scikit-learn's OpenMP loss and OpenBLAS each start a thread per core; on a shared
    machine their spin-waiting made a small linear probe 50x slower.
    """
    return threadpool_limits(limits=max(1, torch.get_num_threads()))
