"""One rank of the distributed test: train the tiny recipe (torchrun-style environment variables)."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
torch.set_num_threads(1)

import tinyplug  # noqa: E402

from anyclr import api  # noqa: E402
from anyclr.core.registry import Registry  # noqa: E402

if __name__ == "__main__":
    registry = Registry(extra_plugins=[("testplug", tinyplug)], entry_points=False)
    api.train("tiny", sys.argv[2:], run_dir=sys.argv[1], registry=registry, progress=False)
