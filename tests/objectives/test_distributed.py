"""Two CPU processes (gloo) give the same loss and gradients as one process on the concatenated batch.

One spawn runs every objective (keeps the test short); each objective takes two steps with an optimiser
update and ``after_step`` in between, so queues, momentum targets and support sets are compared too.
Before each step the global RNG is seeded per rank, as the trainer does, so an objective that draws
from it on its own (instead of from a generator every rank shares) fails here.

The built-in objectives (and COLA's bilinear one) take vectors; the graph objectives take PyG batches (graph level) or node
batches of one graph (GRACE); the TS2Vec objective takes crop views (``x``/``keep``/``overlap``), once
through a dilated-convolution encoder and once with crops of different lengths on the two ranks; CoLES
takes padded event slices through a GRU (hard negatives mined among both ranks' slices).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from anyclr.core.registry import Registry
from anyclr.plugins.timeseries.series import SeriesView

WORLD = 2
LOCAL_BATCH = 4
IN_DIM, EMBED_DIM = 6, 5
HAS_PYG = importlib.util.find_spec("torch_geometric") is not None


@dataclass(frozen=True)
class Case:
    """Recipe keys, number of views, whether labels are needed, and the kind of inputs."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    n_views: int = 2
    labels: bool = False
    kind: str = "vectors"  # vectors | graphs | nodes | series | uneven-series | events


CASES: dict[str, Case] = {
    "ntxent": Case(),
    "ntxent@3views": Case(n_views=3),
    "supcon": Case(labels=True),
    "dcl": Case(),
    "dclw": Case(n_views=3),
    "debiased": Case(),
    "hcl": Case(n_views=3),
    "align-uniform": Case(),
    "polyview": Case({"aggregation": "arithmetic"}, 3),
    "polyview@sufficient": Case({"aggregation": "sufficient"}, 3),
    "barlow": Case(),
    "vicreg": Case(n_views=3),
    "clip": Case(),
    "siglip": Case({"init_scale": 2.0, "init_bias": -1.0}),
    "moco": Case({"queue_size": 16}),
    "mocov3": Case({"predictor_hidden_dim": 8, "predictor_batchnorm": False}),
    "mochi": Case({"queue_size": 16, "n_hard": 8, "n_mix": 4, "n_query_mix": 3}),
    "byol": Case({"predictor_hidden_dim": 8, "predictor_batchnorm": False}),
    "simsiam": Case({"predictor_hidden_dim": 8, "predictor_batchnorm": False}),
    "swav": Case({"n_prototypes": 6, "queue_size": 16}, 3),
    "nnclr": Case({"support_size": 16, "predictor_hidden_dim": 8, "predictor_batchnorm": False}),
    "hierarchical-contrastive": Case(kind="series"),
    "hierarchical-contrastive@uneven": Case({"average": "none"}, kind="uneven-series"),
    "cola": Case(),
    "cola@symmetric": Case({"symmetric": True}),
    "coles": Case({"neg_count": 3}, n_views=3, kind="events"),
    "coles@margin": Case({"margin": 1.5, "neg_count": 10}, kind="events"),
}
if HAS_PYG:
    CASES |= {
        "graphcl": Case(kind="graphs"),
        "graphcl@3views-one-way": Case({"symmetric": False, "temperature": 0.5}, 3, kind="graphs"),
        "grace": Case(kind="nodes"),
        "grace@3views": Case(n_views=3, kind="nodes"),
        "infograph": Case(n_views=1, kind="graphs"),
        "infograph@contrast": Case({"contrast": 0.5}, kind="graphs"),
        "simgrace": Case({"eta": 0.5}, n_views=1, kind="graphs"),
    }


class PerTimestamp(nn.Module):
    """A per-timestamp linear map of a crop view's ``x`` (NaN in, NaN out): crops of any length encode alike."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(1, EMBED_DIM)
        self.out_dim = EMBED_DIM

    def forward(self, inputs: Any) -> torch.Tensor:
        x = inputs.x if isinstance(inputs, SeriesView) else inputs
        observed = ~torch.isnan(x).all(-1, keepdim=True)
        h = torch.tanh(self.proj(x.nan_to_num(0.0)))  # NaN kept out of the product, so out of the gradient too
        return h.masked_fill(~observed, float("nan"))


EVENT_FIELDS = {
    "categorical": {"kind": {"codes": [10, 11, 12, 13], "rows": [1, 2, 0, 3], "size": 4}},
    "numeric": {"amount": {"mean": 0.5, "std": 2.0}},
    "time": {"kind": "timestamp", "gap_mean": 3.0, "gap_std": 1.5, "calendar": True},
}


def _encoder(kind: str) -> nn.Module:
    """A small encoder without batch statistics or dropout, whose outputs depend on its own sample only."""
    if kind == "events":
        from anyclr.core.encoder import Encoder
        from anyclr.plugins.events.encoders.gru import EventGRU

        backbone = EventGRU(EVENT_FIELDS, hidden=6, cat_dim=3, num_dim=2, calendar_dim=2)
        return Encoder(backbone, nn.Linear(backbone.out_dim, EMBED_DIM))
    if kind in ("graphs", "nodes"):
        from anyclr.core.encoder import Encoder
        from anyclr.plugins.graph.encoders.gin import gin

        backbone = gin(in_channels=3, hidden=4, layers=2, norm="none")
        return Encoder(backbone, nn.Linear(backbone.out_dim, EMBED_DIM))
    if kind == "series":
        from anyclr.plugins.timeseries.encoders.dilated_conv import DilatedConvEncoder

        return DilatedConvEncoder(in_channels=1, out_dim=EMBED_DIM, hidden=4, depth=2, dropout=0.0)
    if kind == "uneven-series":
        return PerTimestamp()
    return nn.Sequential(nn.Linear(IN_DIM, 8), nn.Tanh(), nn.Linear(8, EMBED_DIM))


def _build(name: str, seed: int) -> tuple[nn.Module, nn.Module]:
    """Same encoder and objective on every process (same seed)."""
    registry = Registry()  # every built-in plug-in, through its entry point
    case = CASES[name]
    torch.manual_seed(seed)
    encoder = _encoder(case.kind).double()
    component = registry.get("objective", name.split("@")[0])
    params = component.parameters()
    dims = {"embed_dim": EMBED_DIM, "feature_dim": int(getattr(encoder, "out_dim", EMBED_DIM))}
    extra = {k: v for k, v in dims.items() if k in params}
    objective = component.factory(**case.kwargs, **extra).double()
    objective.bind(encoder)
    return encoder, objective


def _graphs(n_views: int, g: torch.Generator) -> list[list[Any]]:
    """Eight small graphs (3 to 6 nodes, a ring plus a chord) in ``n_views`` versions (features and one edge differ)."""
    from torch_geometric.data import Data

    out: list[list[Any]] = [[] for _ in range(n_views)]
    for i in range(WORLD * LOCAL_BATCH):
        n = 3 + i % 4
        src = torch.arange(n)
        ring = torch.stack([src, (src + 1) % n])
        edges = torch.cat([ring, ring.flip(0), torch.tensor([[0, n - 1], [n - 1, 0]])], dim=1)
        x = torch.randn(n, 3, generator=g, dtype=torch.float64)
        for v in range(n_views):
            keep = torch.ones(edges.shape[1], dtype=torch.bool)
            keep[v % edges.shape[1]] = False  # each view drops a different edge
            noise = 0.3 * v * torch.randn(n, 3, generator=g, dtype=torch.float64)
            out[v].append(Data(x=x + noise, edge_index=edges[:, keep]))
    return out


def _nodes(n_views: int, g: torch.Generator) -> list[Any]:
    """One graph of ten nodes in ``n_views`` versions; its first eight nodes are the batch."""
    from torch_geometric.data import Batch, Data

    from anyclr.plugins.graph.batch import NodeBatch

    src = torch.arange(10)
    edges = torch.cat([torch.stack([src, (src + 1) % 10]), torch.stack([src, (src + 3) % 10])], dim=1)
    edges = torch.cat([edges, edges.flip(0)], dim=1)
    x = torch.randn(10, 3, generator=g, dtype=torch.float64)
    index = torch.arange(WORLD * LOCAL_BATCH)
    views = []
    for v in range(n_views):
        graph = Batch.from_data_list([Data(x=x + 0.3 * v * torch.randn(10, 3, generator=g, dtype=torch.float64), edge_index=edges)])
        views.append(NodeBatch(graph, index))
    return views


def _series(step: int, g: torch.Generator) -> list[SeriesView]:
    """Two overlapping crops of eight series (TS2Vec's views); at step 1 one series ends early (masked timestamps)."""
    x = torch.randn(WORLD * LOCAL_BATCH, 16, 1, generator=g, dtype=torch.float64)
    if step == 1:
        x[5, 9:] = float("nan")
    views = []
    for start, stop, overlap in ((0, 12, (3, 9)), (3, 16, (0, 9))):
        keep = torch.rand(x.shape[0], stop - start, generator=g) > 0.2
        views.append(SeriesView(x[:, start:stop], keep=keep, overlap=overlap))
    return views


def _events(n_views: int, g: torch.Generator) -> list[Any]:
    """Slices of eight entities' events (1 to 9 events each, codes some of which the vocabulary lacks)."""
    from anyclr.plugins.events.batch import EventBatch

    views = []
    for _ in range(n_views):
        b, t = WORLD * LOCAL_BATCH, 9
        lengths = torch.randint(1, t + 1, (b,), generator=g)
        time = 1.7e9 + torch.cumsum(torch.rand(b, t, generator=g, dtype=torch.float64) * 7200, dim=1)
        codes = torch.randint(10, 15, (b, t, 1), generator=g)
        numeric = torch.randn(b, t, 1, generator=g)
        views.append(EventBatch(time, codes, numeric, lengths))
    return views


def _data(name: str, step: int) -> tuple[list[Any], torch.Tensor]:
    """The whole batch's views and labels (every process builds the same)."""
    case = CASES[name]
    g = torch.Generator().manual_seed(1000 * step + len(name))
    if case.kind == "graphs":
        views: list[Any] = _graphs(case.n_views, g)
    elif case.kind == "nodes":
        views = _nodes(case.n_views, g)
    elif case.kind in ("series", "uneven-series"):
        views = _series(step, g)
    elif case.kind == "events":
        views = _events(case.n_views, g)
    else:
        views = [torch.randn(WORLD * LOCAL_BATCH, IN_DIM, generator=g, dtype=torch.float64) for _ in range(case.n_views)]
    labels = torch.randint(0, 3, (WORLD * LOCAL_BATCH,), generator=g)
    return views, labels


UNEVEN_CUT = 2  # rank 1's crops are this much shorter at the end of the overlap


def _take(kind: str, views: list[Any], rows: slice, rank: int, world: int) -> list[Any]:
    """This rank's share of the batch's views."""
    if kind == "graphs":
        from torch_geometric.data import Batch

        return [Batch.from_data_list(v[rows]) for v in views]
    if kind == "nodes":
        return [type(v)(v.graph, v.index[rows]) for v in views]
    if kind == "events":
        return [type(v)(v.time[rows], v.categorical[rows], v.numeric[rows], v.lengths[rows]) for v in views]
    if kind in ("series", "uneven-series"):
        out = [SeriesView(v.x[rows], keep=v.keep[rows], overlap=v.overlap) for v in views]
        if kind == "uneven-series":
            first, second = out
            if world > 1 and rank == 1:  # its own, shorter crops: the overlap loses its last steps
                first = SeriesView(first.x[:, :-UNEVEN_CUT], keep=first.keep[:, :-UNEVEN_CUT], overlap=(3, 9 - UNEVEN_CUT))
                second = SeriesView(second.x[:, :-(4 + UNEVEN_CUT)], keep=second.keep[:, :-(4 + UNEVEN_CUT)], overlap=(0, 9 - UNEVEN_CUT))
            elif world == 1:  # one process: rank 1's series are unobserved there instead
                for view, (s, n) in ((first, (3, 9)), (second, (0, 9))):
                    view.x = view.x.clone()
                    view.x[LOCAL_BATCH:, s + n - UNEVEN_CUT : s + n] = float("nan")
            out = [first, second]
        return out
    return [v[rows] for v in views]


def _run(name: str, rank: int, world: int) -> list[dict[str, torch.Tensor]]:
    """Two training steps; return each step's loss and (rank-averaged) gradients."""
    encoder, objective = _build(name, seed=7)
    case = CASES[name]
    params = [p for p in list(encoder.parameters()) + list(objective.parameters()) if p.requires_grad]
    names = [f"encoder.{n}" for n, p in encoder.named_parameters() if p.requires_grad]
    names += [f"objective.{n}" for n, p in objective.named_parameters() if p.requires_grad]
    out = []
    for step in range(2):
        views, labels = _data(name, step)
        rows = slice(rank * LOCAL_BATCH, (rank + 1) * LOCAL_BATCH) if world > 1 else slice(None)
        torch.manual_seed(100 * step + 7919 * rank)  # as the trainer: every rank's global RNG differs
        local = _take(case.kind, views, rows, rank, world)
        loss = objective.training_step(local, encoder, labels[rows] if case.labels else None)
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
