"""Two CPU processes (gloo) give the same loss and gradients as one process on the concatenated batch.

One spawn runs every objective (keeps the test short); each objective takes two steps with an optimiser
update and ``after_step`` in between, so queues, momentum targets and support sets are compared too.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from anyclr.core.registry import Registry

WORLD = 2
LOCAL_BATCH = 4
IN_DIM, EMBED_DIM = 6, 5

# name -> (recipe keys, number of views, needs labels)
CASES: dict[str, tuple[dict[str, Any], int, bool]] = {
    "ntxent": ({}, 2, False),
    "ntxent@3views": ({}, 3, False),
    "supcon": ({}, 2, True),
    "dcl": ({}, 2, False),
    "dclw": ({}, 3, False),
    "debiased": ({}, 2, False),
    "hcl": ({}, 3, False),
    "align-uniform": ({}, 2, False),
    "polyview": ({"aggregation": "arithmetic"}, 3, False),
    "polyview@sufficient": ({"aggregation": "sufficient"}, 3, False),
    "barlow": ({}, 2, False),
    "vicreg": ({}, 3, False),
    "clip": ({}, 2, False),
    "siglip": ({"init_scale": 2.0, "init_bias": -1.0}, 2, False),
    "moco": ({"queue_size": 16}, 2, False),
    "mocov3": ({"predictor_hidden_dim": 8, "predictor_batchnorm": False}, 2, False),
    "mochi": ({"queue_size": 16, "n_hard": 8, "n_mix": 4, "n_query_mix": 3}, 2, False),
    "byol": ({"predictor_hidden_dim": 8, "predictor_batchnorm": False}, 2, False),
    "simsiam": ({"predictor_hidden_dim": 8, "predictor_batchnorm": False}, 2, False),
    "swav": ({"n_prototypes": 6, "queue_size": 16}, 3, False),
    "nnclr": ({"support_size": 16, "predictor_hidden_dim": 8, "predictor_batchnorm": False}, 2, False),
}


def _build(name: str, seed: int) -> tuple[nn.Module, nn.Module]:
    """Same encoder and objective on every process (same seed)."""
    registry = Registry()
    kwargs, _, _ = CASES[name]
    torch.manual_seed(seed)
    encoder = nn.Sequential(nn.Linear(IN_DIM, 8), nn.Tanh(), nn.Linear(8, EMBED_DIM)).double()
    component = registry.get("objective", name.split("@")[0])
    params = component.parameters()
    extra = {k: v for k, v in {"embed_dim": EMBED_DIM, "feature_dim": EMBED_DIM}.items() if k in params}
    objective = component.factory(**kwargs, **extra).double()
    objective.bind(encoder)
    return encoder, objective


def _data(name: str, step: int) -> tuple[list[torch.Tensor], torch.Tensor]:
    _, n_views, _ = CASES[name]
    g = torch.Generator().manual_seed(1000 * step + len(name))
    views = [torch.randn(WORLD * LOCAL_BATCH, IN_DIM, generator=g, dtype=torch.float64) for _ in range(n_views)]
    labels = torch.randint(0, 3, (WORLD * LOCAL_BATCH,), generator=g)
    return views, labels


def _run(name: str, rank: int, world: int) -> list[dict[str, torch.Tensor]]:
    """Two training steps; return each step's loss and (rank-averaged) gradients."""
    encoder, objective = _build(name, seed=7)
    needs_labels = CASES[name][2]
    params = [p for p in list(encoder.parameters()) + list(objective.parameters()) if p.requires_grad]
    names = [f"encoder.{n}" for n, p in encoder.named_parameters() if p.requires_grad]
    names += [f"objective.{n}" for n, p in objective.named_parameters() if p.requires_grad]
    out = []
    for step in range(2):
        views, labels = _data(name, step)
        rows = slice(rank * LOCAL_BATCH, (rank + 1) * LOCAL_BATCH) if world > 1 else slice(None)
        loss = objective.training_step([v[rows] for v in views], encoder, labels[rows] if needs_labels else None)
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads, strict=True)]
        loss = loss.detach()
        if world > 1:  # what DDP does: average gradients (and we average the logged loss)
            for g in [*grads, loss]:
                dist.all_reduce(g)
                g /= world
        out.append({"loss": loss, **{n: g for n, g in zip(names, grads, strict=True)}})
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= 0.5 * g
        objective.after_step(encoder, progress=0.5)
    return out


def _worker(rank: int, world: int, init_file: str, out_dir: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    results: dict[str, Any] = {}
    try:
        for name in CASES:
            try:
                results[name] = _run(name, rank, world)
            except Exception as exc:  # report per objective instead of hanging the other rank
                results[name] = f"{type(exc).__name__}: {exc}"
                raise
        dist.barrier()
    finally:
        torch.save(results, os.path.join(out_dir, f"rank{rank}.pt"))
        dist.destroy_process_group()
    # Skip interpreter teardown: gloo's threads can abort the process there (seen once on CI) after the
    # results above are already safely written.
    os._exit(0)


def _spawn(out_dir: str) -> None:
    mp.start_processes(_worker, args=(WORLD, os.path.join(out_dir, "pg"), out_dir), nprocs=WORLD, start_method="spawn")


@pytest.fixture(scope="module")
def distributed_results(tmp_path_factory) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    for attempt in range(2):
        out_dir = str(tmp_path_factory.mktemp(f"ddp{attempt}"))
        try:
            _spawn(out_dir)
            break
        except mp.ProcessExitedException as exc:
            # A rank killed by a signal (not a Python error) is a transport crash, not a wrong loss: retry once.
            if exc.signal_name is None or attempt == 1:
                raise
    return torch.load(os.path.join(out_dir, "rank0.pt"), weights_only=False)


@pytest.mark.parametrize("name", list(CASES))
def test_two_processes_match_one_process(name, distributed_results):
    got = distributed_results[name]
    assert not isinstance(got, str), got
    want = _run(name, rank=0, world=1)
    for step, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g.keys() == w.keys()
        for key in w:
            torch.testing.assert_close(g[key], w[key], msg=lambda m, s=step, k=key: f"{name} step {s} {k}: {m}")
