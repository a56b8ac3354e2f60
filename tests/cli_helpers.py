"""Shared pieces for the CLI tests: run the app in-process, a toy plug-in, a fake anyclr.api."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import torch
from typer.testing import CliRunner

from anyclr.core.components import Component, Recipe
from anyclr.core.data import DataBundle, TensorSamples
from anyclr.core.hookspecs import hookimpl
from anyclr.core.registry import Registry, set_registry
from anyclr.core.views import ViewGenerator

TOY_RECIPE = """# Toy recipe for the CLI tests.
modality = "toy"

[data]
name = "toy-blobs"

[views]
name = "toy-jitter"

[encoder]
name = "toy-mlp"
head = "mlp"
head_hidden_dim = 16
head_out_dim = 8

[objective]
name = "ntxent"

[trainer]
epochs = 1
batch_size = 32
threads = 1
knn_every = 0

[eval]
protocols = ["knn"]
baselines = []
plots = false
"""


def invoke(*args: str, registry: Registry | None = None, env: dict[str, str] | None = None) -> Any:
    """Run ``anyclr ARGS`` in-process and return the Click result (stdout, stderr, exit_code)."""
    from anyclr.cli import make_app

    return CliRunner().invoke(make_app(registry), list(args), env=env)


def toy_blobs(n: int = 96, seed: int = 0) -> DataBundle:
    """Four Gaussian blobs in 6 dimensions."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 4
    x = torch.randn(n, 6, generator=g) * 0.3 + torch.eye(4, 6)[y] * 3
    return DataBundle(train=TensorSamples(x, y), test=TensorSamples(x[:32], y[:32]), info={"in_channels": 6})


class ToyJitter(ViewGenerator):
    """Adds Gaussian noise."""

    def __init__(self, n_views: int = 2, sigma: float = 0.1) -> None:
        super().__init__(n_views)
        self.sigma = sigma

    def view(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs + self.sigma * torch.randn_like(inputs)


class ToyMLP(torch.nn.Module):
    """A one-layer toy backbone."""

    def __init__(self, in_channels: int, out_dim: int = 12) -> None:
        super().__init__()
        self.out_dim = out_dim
        self.lin = torch.nn.Linear(in_channels, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x)


class ToyPlugin:
    """An in-process plug-in with one of each toy component and a recipe."""

    def __init__(self, recipe_path: Path) -> None:
        self.recipe_path = recipe_path

    @hookimpl
    def anyclr_datasets(self) -> list[Component]:
        return [Component("toy-blobs", toy_blobs, modality="toy", summary="Four Gaussian blobs.")]

    @hookimpl
    def anyclr_views(self) -> list[Component]:
        return [Component("toy-jitter", ToyJitter, modality="toy")]

    @hookimpl
    def anyclr_backbones(self) -> list[Component]:
        return [Component("toy-mlp", ToyMLP, modality="toy", summary="One Linear layer.")]

    @hookimpl
    def anyclr_recipes(self) -> list[Recipe]:
        return [Recipe("toy-simclr", self.recipe_path, modality="toy")]


def toy_registry(tmp_path: Path, *extra: tuple[str, Any]) -> Registry:
    """Install (process-wide) a registry of the real plug-ins plus the toy plug-in and ``extra`` ones."""
    path = tmp_path / "toy-simclr.toml"
    path.write_text(TOY_RECIPE)
    registry = Registry(extra_plugins=[("toy", ToyPlugin(path)), *extra])
    set_registry(registry)
    return registry


class FakeApi:
    """Records the CLI's calls to anyclr.api; ``raises`` makes the next call raise."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.raises: BaseException | None = None

    def _record(self, name: str, **kwargs: Any) -> None:
        self.calls.append((name, kwargs))
        if self.raises is not None:
            raise self.raises

    def module(self) -> types.ModuleType:
        mod = types.ModuleType("anyclr.api")

        def train(**kwargs):  # records exactly the keywords the CLI passes
            self._record("train", **kwargs)
            return {"run_dir": str(kwargs.get("run_dir") or kwargs.get("resume") or "runs/fake"), "metrics": {"knn_top1": 0.5}}

        def evaluate(run_dir, protocol="all", registry=None, print_table=False):
            self._record("evaluate", run_dir=run_dir, protocol=protocol, print_table=print_table)
            if print_table:
                print("TABLE knn_top1 0.5")
            return {"metrics": {"knn_top1": 0.5}, "baselines": {}, "run_dir": str(run_dir)}

        def embed(run_dir, out, data_path=None, overrides=(), registry=None, encoder=None):
            self._record("embed", run_dir=run_dir, out=out, data_path=data_path, overrides=overrides, encoder=encoder)
            return Path(out)

        mod.train, mod.evaluate, mod.embed = train, evaluate, embed
        return mod


def install_fake_api(monkeypatch: Any) -> FakeApi:
    """Make ``importlib.import_module("anyclr.api")`` return a recording fake."""
    fake = FakeApi()
    monkeypatch.setitem(sys.modules, "anyclr.api", fake.module())
    return fake
