"""What a run writes while it trains: metrics.jsonl, TensorBoard events (tb/) and PNG plots (plots/).

Only the main process (rank 0) writes; on other ranks every method is a no-op.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from anyclr.core.distributed import is_main

METRICS = "metrics.jsonl"


class RunLog:
    """Append-only metrics log of one run, mirrored to TensorBoard."""

    def __init__(self, run_dir: str | Path, tensorboard: bool = True) -> None:
        self.run_dir = Path(run_dir)
        self.enabled = is_main()
        self._tensorboard = tensorboard
        self._writer: Any = None
        self._file: Any = None
        if self.enabled:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            self._file = open(self.run_dir / METRICS, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def truncate_after(self, step: int) -> None:
        """Drop records past ``step`` (from an interrupted run being resumed from an earlier checkpoint)."""
        if not self.enabled:
            return
        from anyclr.core.checkpoint import atomic_write

        self._file.close()
        path = self.run_dir / METRICS
        kept = "".join(line + "\n" for line in path.read_text(encoding="utf-8").splitlines() if _step_of(line) <= step)
        atomic_write(path, lambda tmp: Path(tmp).write_text(kept, encoding="utf-8"))  # a full disk must not empty it
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def log(self, record: dict[str, Any]) -> None:
        """Append one record (one JSON object per line) and write its numbers to TensorBoard."""
        if not self.enabled:
            return
        clean = {k: _jsonable(v) for k, v in record.items()}
        self._file.write(json.dumps(clean) + "\n")
        self._file.flush()
        writer = self._tb()
        if writer is not None:
            kind = clean.get("kind", "step")
            step = int(clean.get("step", 0))
            for key, value in clean.items():
                if key not in ("kind", "step", "epoch") and isinstance(value, (int, float)) and math.isfinite(value):
                    writer.add_scalar(f"{kind}/{key}", value, step)

    def _tb(self) -> Any:
        if not self._tensorboard:
            return None
        if self._writer is None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is optional at run time; metrics.jsonl is the record
                self._tensorboard = False
                return None
            self._writer = SummaryWriter(log_dir=str(self.run_dir / "tb"))
        return self._writer

    def close(self) -> None:
        """Flush and close the log files."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._file is not None:
            self._file.close()
            self._file = None


def read_metrics(run_dir: str | Path) -> list[dict[str, Any]]:
    """Return the records of a run's metrics.jsonl."""
    path = Path(run_dir) / METRICS
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # blank, or cut short when the disk filled up
    return records


def plot_loss(records: list[dict[str, Any]], path: str | Path) -> Path | None:
    """Plot per-step and per-epoch training loss from metrics records to ``path`` (PNG)."""
    if not is_main():
        return None
    steps = [(r["step"], r["loss"]) for r in records if r.get("kind") == "step" and _finite(r.get("loss"))]
    epochs = [(r["step"], r["loss"]) for r in records if r.get("kind") == "epoch" and _finite(r.get("loss"))]
    fig, ax = _figure(6, 4)
    if steps:
        ax.plot(*zip(*steps, strict=True), lw=0.8, alpha=0.6, label="step")
    if epochs:
        ax.plot(*zip(*epochs, strict=True), "o-", lw=1.5, label="epoch mean")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("training loss")
    if steps or epochs:
        ax.legend()
    return _save(fig, path)


def plot_embedding(features: np.ndarray, labels: np.ndarray, path: str | Path, max_points: int = 600, seed: int = 0) -> Path | None:
    """Draw a 2-D map (PCA, then t-SNE) of ``features`` coloured by label to ``path`` (PNG)."""
    if not is_main() or len(features) < 3:
        return None
    rng = np.random.default_rng(seed)
    if len(features) > max_points:
        keep = rng.choice(len(features), max_points, replace=False)
        features, labels = features[keep], labels[keep]
    xy = map_2d(np.asarray(features, dtype=np.float32), seed)
    fig, ax = _figure(5.5, 5)
    known = labels >= 0
    if known.any():
        sc = ax.scatter(xy[known, 0], xy[known, 1], c=labels[known], cmap="tab10" if labels.max() < 10 else "tab20", s=6)
        if labels.max() < 20:
            fig.colorbar(sc, ax=ax, label="label")
    if (~known).any():
        ax.scatter(xy[~known, 0], xy[~known, 1], c="0.5", s=6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("test features (t-SNE)" if len(xy) > 30 else "test features (PCA)")
    return _save(fig, path)


def map_2d(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """Reduce features to 2-D: PCA to at most 50 dims, then t-SNE (PCA alone for tiny sets)."""
    from sklearn.decomposition import PCA

    features = np.nan_to_num(features - features.mean(0))
    n, d = features.shape
    k = min(50, n, d)
    reduced = PCA(n_components=k, random_state=seed).fit_transform(features) if k >= 2 else np.pad(features, ((0, 0), (0, 2 - d)))
    if n <= 30:
        return reduced[:, :2]
    import torch
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    perplexity = float(min(30, (n - 1) / 3))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, max_iter=300)
    with threadpool_limits(torch.get_num_threads()):  # respect trainer.threads instead of every core
        return tsne.fit_transform(reduced)


def _figure(width: float, height: float) -> tuple[Any, Any]:
    # A bare Figure renders with Agg and leaves pyplot's global backend (e.g. a notebook's) untouched.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if hasattr(v, "item") and callable(v.item) and getattr(v, "ndim", 1) == 0:
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def _step_of(line: str) -> float:
    try:
        return float(json.loads(line).get("step", 0))
    except (ValueError, AttributeError):
        return math.inf
