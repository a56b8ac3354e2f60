"""One rank of the distributed stream test: train (or resume) the tiny recipe on the tiny stream."""

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
    run_dir, mode, *sets = sys.argv[1:]
    if mode == "resume":
        api.train(resume=run_dir, overrides=sets, registry=registry, progress=False)
    else:
        api.train("tiny", sets, run_dir=run_dir, registry=registry, progress=False)
