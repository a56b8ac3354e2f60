"""Graph-level contrast on MUTAG: anyclr's best graph recipe against PyGCL's GraphCL and a random-init encoder.

Not a test: prints mean ± std SVM accuracy over seeds (GraphCL's protocol: stratified 10-fold CV of an
RBF SVM over all 188 graphs, C by an inner 5-fold search) for

- ours: ``anyclr.api.train`` on the recipe (``graph-graphcl`` by default);
- PyGCL: its GraphCL example (identity view vs one of random-walk sampling / node dropping / feature
  masking / edge removing, InfoNCE τ 0.2, Adam lr 0.01) with the same GIN size and epochs, on the same
  input graphs (the recipe's dataset, node features included);
- random init: the same protocol on the recipe's encoder at its initial weights (and on PyGCL's);

and the fit-time ratio (ours / PyGCL, training loops only). Targets: mean accuracy ≥ 89.0, above the
random-init encoder's mean by more than its standard deviation, fit time ≤ PyGCL's.

    python benchmarks/graphs.py --quick          # 1 seed, 3 epochs: a smoke run
    python benchmarks/graphs.py                  # 5 seeds, 100 epochs
    python benchmarks/graphs.py --json bench-results/graphs.json

PyGCL (PyPI ``pygcl``, in the ``bench`` extra) imports ``dgl``, ``torch_scatter`` and ``torch_sparse``,
which have no wheels for current torch; when they are missing this script installs small stand-ins
built on torch-geometric before importing it (see :func:`install_pygcl_shims`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import torch

ACC_TARGET = 0.89
TIME_TARGET = 1.0


# -- PyGCL, with stand-ins for the compiled extensions it imports ------------------------------------------------


class _SparseTensor:
    """The part of torch_sparse.SparseTensor that PyGCL's random-walk sampling uses."""

    def __init__(self, row: torch.Tensor, col: torch.Tensor, sparse_sizes: tuple[int, int], **_: Any) -> None:
        order = torch.argsort(row, stable=True)
        self.col = col[order]
        self.deg = torch.bincount(row, minlength=sparse_sizes[0])
        self.ptr = torch.cat([self.deg.new_zeros(1), self.deg.cumsum(0)])

    def random_walk(self, start: torch.Tensor, walk_length: int) -> torch.Tensor:
        """Uniform random walks (nodes without neighbours stay put), as torch_cluster's."""
        walks = [start]
        pos = start
        for _ in range(walk_length):
            d = self.deg[pos]
            pick = self.ptr[pos] + (torch.rand(pos.numel(), device=pos.device) * d).long()
            pos = torch.where(d > 0, self.col[pick.clamp(max=max(self.col.numel() - 1, 0))], pos)
            walks.append(pos)
        return torch.stack(walks, dim=1)


def install_pygcl_shims() -> None:
    """Register stand-ins for dgl, torch_scatter and torch_sparse when they cannot be imported."""
    from torch_geometric.utils import coalesce, scatter

    def missing(name: str) -> bool:
        try:
            __import__(name)
            return False
        except Exception:
            return True

    if missing("dgl"):  # GCL.utils imports it; the graph examples never call it
        mod = types.ModuleType("dgl")
        mod.DGLGraph = object  # only named in an annotation
        sys.modules["dgl"] = mod
    if missing("torch_scatter"):
        mod = types.ModuleType("torch_scatter")
        mod.scatter = lambda src, index, dim=-1, out=None, dim_size=None, reduce="sum": scatter(
            src, index, dim=dim, dim_size=dim_size, reduce=reduce
        )
        sys.modules["torch_scatter"] = mod
    if missing("torch_sparse"):
        mod = types.ModuleType("torch_sparse")
        mod.SparseTensor = _SparseTensor
        mod.coalesce = lambda index, value, m, n, op="add": coalesce(index, value, max(m, n), reduce=op)
        sys.modules["torch_sparse"] = mod


def pygcl_graphcl(graphs: list, labels: torch.Tensor, seed: int, epochs: int, hidden: int, layers: int, device: str) -> dict[str, float]:
    """Train PyGCL's GraphCL example on ``graphs``; return its SVM accuracy, random-init accuracy and fit seconds."""
    install_pygcl_shims()
    import GCL.augmentors as A
    import GCL.losses as L
    import torch.nn.functional as F
    from GCL.models import DualBranchContrast
    from torch import nn
    from torch_geometric.loader import DataLoader
    from torch_geometric.nn import GINConv, global_add_pool

    from anyclr.evaluators.svm import svm_cv

    def make_gin_conv(d_in: int, d_out: int) -> nn.Module:
        return GINConv(nn.Sequential(nn.Linear(d_in, d_out), nn.ReLU(), nn.Linear(d_out, d_out)))

    class GConv(nn.Module):  # PyGCL's examples/GraphCL.py
        def __init__(self, input_dim: int, hidden_dim: int, num_layers: int) -> None:
            super().__init__()
            self.layers = nn.ModuleList(make_gin_conv(input_dim if i == 0 else hidden_dim, hidden_dim) for i in range(num_layers))
            self.batch_norms = nn.ModuleList(nn.BatchNorm1d(hidden_dim) for _ in range(num_layers))
            project_dim = hidden_dim * num_layers
            self.project = nn.Sequential(nn.Linear(project_dim, project_dim), nn.ReLU(inplace=True), nn.Linear(project_dim, project_dim))

        def forward(self, x, edge_index, batch):  # noqa: ANN001, ANN201
            z, zs = x, []
            for conv, bn in zip(self.layers, self.batch_norms, strict=True):
                z = bn(F.relu(conv(z, edge_index)))
                zs.append(z)
            gs = [global_add_pool(z, batch) for z in zs]
            return torch.cat(zs, dim=1), torch.cat(gs, dim=1)

    class Encoder(nn.Module):
        def __init__(self, encoder: nn.Module, augmentor: tuple) -> None:
            super().__init__()
            self.encoder, self.augmentor = encoder, augmentor

        def forward(self, x, edge_index, batch):  # noqa: ANN001, ANN201
            aug1, aug2 = self.augmentor
            x1, edge_index1, _ = aug1(x, edge_index)
            x2, edge_index2, _ = aug2(x, edge_index)
            z, g = self.encoder(x, edge_index, batch)
            z1, g1 = self.encoder(x1, edge_index1, batch)
            z2, g2 = self.encoder(x2, edge_index2, batch)
            return z, g, z1, z2, g1, g2

    data = [g.clone() for g in graphs]
    for g, y in zip(data, labels.tolist(), strict=True):
        g.y = torch.tensor([y])
    torch.manual_seed(seed)
    loader = DataLoader(data, batch_size=128)
    aug1 = A.Identity()
    aug2 = A.RandomChoice(
        [A.RWSampling(num_seeds=1000, walk_length=10), A.NodeDropping(pn=0.1), A.FeatureMasking(pf=0.1), A.EdgeRemoving(pe=0.1)], 1
    )
    gconv = GConv(input_dim=data[0].x.shape[1], hidden_dim=hidden, num_layers=layers).to(device)
    model = Encoder(gconv, (aug1, aug2)).to(device)
    contrast = DualBranchContrast(loss=L.InfoNCE(tau=0.2), mode="G2G").to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

    def embed() -> tuple[Any, Any]:
        model.eval()
        xs, ys = [], []
        with torch.no_grad():
            for batch in loader:
                batch = batch.to(device)
                xs.append(model(batch.x, batch.edge_index, batch.batch)[1].cpu())
                ys.append(batch.y.cpu())
        model.train()
        return torch.cat(xs).numpy(), torch.cat(ys).numpy()

    def evaluate(x: Any, y: Any) -> float:  # svm_cv pools its train and test parts: the split point is arbitrary
        half = len(y) // 2
        return svm_cv(seed=seed)(x[:half], y[:half], x[half:], y[half:])["svm_top1"]

    random_init = evaluate(*embed())
    sync(device)
    start = time.perf_counter()
    for _ in range(epochs):
        for batch in loader:
            batch = batch.to(device)
            optimizer.zero_grad()
            _, _, _, _, g1, g2 = model(batch.x, batch.edge_index, batch.batch)
            g1, g2 = [gconv.project(g) for g in (g1, g2)]
            loss = contrast(g1=g1, g2=g2, batch=batch.batch)
            loss.backward()
            optimizer.step()
    sync(device)
    seconds = time.perf_counter() - start
    return {"svm_top1": evaluate(*embed()), "random_init": random_init, "seconds": seconds}


def sync(device: str) -> None:
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


# -- ours -----------------------------------------------------------------------------------------------------------


def ours(recipe: str, seed: int, epochs: int, device: str, threads: int, run_root: Path) -> dict[str, float]:
    """Train and evaluate the recipe with anyclr; return its SVM accuracy, random-init accuracy and fit seconds."""
    from anyclr.api import train

    overrides = [
        f"trainer.epochs={epochs}",
        f"trainer.threads={threads}",
        "eval.protocols=['svm_cv']",
        "eval.baselines=['random_init']",
        "eval.plots=false",
        f"eval.svm_cv_seed={seed}",
    ]
    summary = train(recipe, overrides, run_dir=run_root / f"{recipe}-seed{seed}", seed=seed, device=device, progress=False, print_table=False)
    return {
        "svm_top1": summary["metrics"]["svm_top1"],
        "random_init": summary["baselines"]["random_init"]["svm_top1"],
        "seconds": summary["train_seconds"],
    }


def recipe_setup(recipe: str) -> tuple[int, int, list, torch.Tensor]:
    """Return (hidden, layers, graphs, labels) of the recipe, so PyGCL runs the same encoder size on the same inputs."""
    from anyclr.core.build import build_dataset
    from anyclr.core.config import load, resolve
    from anyclr.core.registry import get_registry

    registry = get_registry()
    _, cfg = load(recipe, registry)
    cfg = resolve(cfg)
    bundle = build_dataset(registry, cfg)
    enc = cfg["encoder"]
    return int(enc.get("hidden", 32)), int(enc.get("layers", 2)), bundle.train.graphs, bundle.train.y


def mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.pstdev(values) if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 3 epochs (smoke run)")
    parser.add_argument("--recipe", default="graph-graphcl")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads for both (default 1)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    seeds, epochs = (1, 3) if args.quick else (args.seeds, args.epochs)
    torch.set_num_threads(max(args.threads, 1))

    hidden, layers, graphs, labels = recipe_setup(args.recipe)
    rows: dict[str, list[dict[str, float]]] = {"ours": [], "pygcl": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(seeds):
            rows["ours"].append(ours(args.recipe, seed, epochs, args.device, args.threads, Path(tmp)))
            rows["pygcl"].append(pygcl_graphcl(graphs, labels, seed, epochs, hidden, layers, args.device))
            print(f"seed {seed}: ours {rows['ours'][-1]}  pygcl {rows['pygcl'][-1]}", flush=True)

    def stat(who: str, key: str) -> tuple[float, float]:
        return mean_std([r[key] for r in rows[who]])

    acc, acc_sd = stat("ours", "svm_top1")
    rnd, rnd_sd = stat("ours", "random_init")
    ratio = sum(r["seconds"] for r in rows["ours"]) / max(sum(r["seconds"] for r in rows["pygcl"]), 1e-9)
    print(f"\nMUTAG, {seeds} seed(s), {epochs} epochs, GIN {layers} layers × {hidden}, 10-fold SVM (GraphCL protocol)")
    print(f"{'':28}{'accuracy (%)':>18}{'fit s/run':>12}")
    for label, who, key in (
        (f"anyclr {args.recipe}", "ours", "svm_top1"),
        ("PyGCL GraphCL", "pygcl", "svm_top1"),
        ("random-init (anyclr GIN)", "ours", "random_init"),
        ("random-init (PyGCL GConv)", "pygcl", "random_init"),
    ):
        m, s = stat(who, key)
        secs = statistics.fmean(r["seconds"] for r in rows[who]) if key == "svm_top1" else float("nan")
        print(f"{label:28}{m * 100:>11.2f} ± {s * 100:4.2f}{secs:>12.1f}")
    print(f"fit-time ratio (ours / PyGCL): {ratio:.2f}")
    checks = {
        "accuracy >= 89.0": acc >= ACC_TARGET,
        "accuracy > random-init + 1 std": acc > rnd + rnd_sd,
        "fit time <= PyGCL": ratio <= TIME_TARGET,
    }
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {"seeds": seeds, "epochs": epochs, "hidden": hidden, "layers": layers, "runs": rows, "fit_time_ratio": ratio, "checks": checks}
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
