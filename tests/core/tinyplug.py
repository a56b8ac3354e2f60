"""A tiny in-process plug-in for the core's tests: random vectors, an MLP, noise views, an NT-Xent-like loss."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from anyclr.core.components import Component, Recipe
from anyclr.core.data import DataBundle, TensorSamples
from anyclr.core.distributed import gather_with_grad
from anyclr.core.hookspecs import hookimpl
from anyclr.core.objective import Objective
from anyclr.core.stream import SampleStream
from anyclr.core.views import Augmentation, ViewGenerator

RECIPES = Path(__file__).parent / "recipes"


def tiny_dataset(n: int = 64, dim: int = 8, classes: int = 4, test: bool = True) -> DataBundle:
    """Gaussian blobs: ``n`` train (and n/2 test) samples of ``dim`` features in ``classes`` classes."""
    g = torch.Generator().manual_seed(123)
    centers = torch.randn(classes, dim, generator=g) * 3

    def make(m: int) -> TensorSamples:
        y = torch.arange(m) % classes
        return TensorSamples(centers[y] + torch.randn(m, dim, generator=g), y)

    return DataBundle(train=make(n), test=make(n // 2) if test else None, info={"in_channels": dim, "num_classes": classes})


class TinyStream(SampleStream):
    """The tiny blobs as a stream of ``parts`` shards; records whose index is in ``bad`` fail to decode."""

    def __init__(self, n: int = 64, dim: int = 8, classes: int = 4, parts: int = 4, bad: tuple[int, ...] = (), shuffle_buffer: int = 16) -> None:
        self.data = tiny_dataset(n, dim, classes, test=False).train
        self.n_parts, self.bad, self.shuffle_buffer = parts, set(bad), shuffle_buffer
        self.decoded_count = 0

    def parts(self) -> list[str]:
        return [f"part-{i}" for i in range(self.n_parts)]

    def read(self, part: int):
        yield from range(part, len(self.data), self.n_parts)

    def decode(self, record: int) -> tuple[torch.Tensor, int]:
        if record in self.bad:
            raise ValueError("corrupt record")
        self.decoded_count += 1
        return self.data[record]

    def where(self, record: int) -> str:
        return f"part-{record % self.n_parts}, key {record}"


def tiny_stream(n: int = 64, parts: int = 4, bad: list[int] | None = None, max_bad_fraction: float = 0.0, test: bool = True) -> DataBundle:
    """The tiny blobs as a stream (and a stream test split)."""
    return DataBundle(
        train=TinyStream(n, parts=parts, bad=tuple(bad or ())),
        test=TinyStream(n // 2, parts=2) if test else None,
        info={"in_channels": 8, "num_classes": 4},
        max_bad_fraction=max_bad_fraction,
    )


class NoiseViews(ViewGenerator):
    """Add Gaussian noise of scale ``sigma``."""

    def __init__(self, n_views: int = 2, sigma: float = 0.5) -> None:
        super().__init__(n_views)
        self.sigma = sigma

    def view(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs + self.sigma * torch.randn_like(inputs)


class Noise(Augmentation):
    """Add Gaussian noise of scale ``sigma`` to a random ``p`` of the samples (sample, then apply)."""

    def __init__(self, sigma: float = 0.5, p: float = 1.0) -> None:
        super().__init__()
        self.sigma, self.p = sigma, p

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        noise = torch.randn(inputs.shape, generator=generator, device=inputs.device) * self.sigma
        active = torch.rand(inputs.shape[0], generator=generator, device=inputs.device) < self.p
        return noise * active[:, None]

    def apply(self, inputs: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        return inputs + params


class MLP(nn.Module):
    """Two-layer MLP backbone with batch norm."""

    def __init__(self, in_channels: int, hidden: int = 16, out: int = 8, norm: bool = True) -> None:
        super().__init__()
        bn = nn.BatchNorm1d(hidden) if norm else nn.Identity()
        self.net = nn.Sequential(nn.Linear(in_channels, hidden), bn, nn.ReLU(), nn.Linear(hidden, out))
        self.out_dim = out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Head(nn.Linear):
    """Linear projection head."""

    def __init__(self, in_dim: int, out_dim: int = 4) -> None:
        super().__init__(in_dim, out_dim)
        self.out_dim = out_dim


class TinyNTXent(Objective):
    """NT-Xent on two views plus an EMA target (to exercise bind/after_step/objective state); can emit NaN."""

    def __init__(self, temperature: float = 0.5, nan_at_step: int = 0, embed_dim: int = 4, gather: bool = False) -> None:
        super().__init__()
        self.gather = gather
        self.temperature = temperature
        self.nan_at_step = nan_at_step
        self.predictor = nn.Linear(embed_dim, embed_dim)
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))

    def bind(self, encoder: nn.Module) -> None:
        self.target = copy.deepcopy(encoder).requires_grad_(False)

    def forward(self, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        self.calls += 1
        a, b = F.normalize(self.predictor(z[0]), dim=1), F.normalize(z[1], dim=1)
        if self.gather:  # the loss over the global batch, identical on every rank
            a, b = gather_with_grad(a), gather_with_grad(b)
        x = torch.cat([a, b])
        sim = x @ x.t() / self.temperature
        sim.fill_diagonal_(float("-inf"))
        n = a.shape[0]
        target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
        loss = F.cross_entropy(sim, target)
        if self.nan_at_step and int(self.calls) >= self.nan_at_step:
            loss = loss * float("nan")
        return loss

    @torch.no_grad()
    def after_step(self, encoder: nn.Module, progress: float) -> None:
        for t, o in zip(self.target.parameters(), encoder.parameters(), strict=False):
            t.mul_(0.9).add_(o, alpha=0.1)


def knn(k: int = 5):
    """Cosine kNN top-1."""

    def run(train_x, train_y, test_x, test_y):
        a = train_x / (np.linalg.norm(train_x, axis=1, keepdims=True) + 1e-8)
        b = test_x / (np.linalg.norm(test_x, axis=1, keepdims=True) + 1e-8)
        nn_idx = np.argsort(-(b @ a.T), axis=1)[:, :k]
        votes = train_y[nn_idx]
        pred = np.array([np.bincount(v).argmax() for v in votes])
        return {"knn_top1": float((pred == test_y).mean())}

    return run


def feature_std():
    """Mean feature standard deviation (label-free)."""

    def run(train_x, train_y, test_x, test_y):
        return {"feature_std": float(test_x.std(0).mean())}

    run.needs_labels = False
    return run


@hookimpl
def anyclr_datasets():
    return [Component("tiny", tiny_dataset), Component("tiny-stream", tiny_stream)]


@hookimpl
def anyclr_views():
    return [Component("tiny-noise", NoiseViews)]


@hookimpl
def anyclr_augmentations():
    return [Component("tiny-noise", Noise)]


@hookimpl
def anyclr_backbones():
    return [Component("tiny-mlp", MLP)]


@hookimpl
def anyclr_heads():
    return [Component("tiny-head", Head)]


@hookimpl
def anyclr_objectives():
    return [Component("tiny-ntxent", TinyNTXent)]


@hookimpl
def anyclr_evaluators():
    return [Component("knn", knn), Component("feature_std", feature_std)]


@hookimpl
def anyclr_recipes():
    return [Recipe(p.stem, p) for p in sorted(RECIPES.glob("*.toml"))]
