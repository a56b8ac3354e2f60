"""The image recipes this area ships build from the registry and take a training step (full runs: the CLI)."""

from __future__ import annotations

import math

import pytest
import torch

from anyclr.core.build import build_dataset, build_encoder, build_objective, build_views
from anyclr.core.config import load, resolve
from anyclr.core.registry import get_registry

RECIPES = ["image-moco", "image-byol", "image-simsiam", "image-barlow", "image-vicreg", "image-swav", "image-dcl", "image-supcon", "image-nnclr"]


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_builds_and_steps(name):
    registry = get_registry()
    _, cfg = load(name, registry)
    cfg = resolve(cfg)
    torch.manual_seed(0)
    data = build_dataset(registry, cfg)
    views = build_views(registry, cfg, data.info)
    encoder = build_encoder(registry, cfg, data.info)
    objective = build_objective(registry, cfg, data.info, encoder)
    objective.bind(encoder)
    x, y = data.train.x[:16], data.train.y[:16]
    loss = objective.training_step(views(x), encoder, y)
    loss.backward()
    objective.after_step(encoder, 0.01)
    assert math.isfinite(float(loss.detach()))
    assert any(p.grad is not None for p in encoder.parameters())
