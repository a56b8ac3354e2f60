"""Degenerate input gets a clear AnyclrError from every objective (never a shape error from deep inside torch)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.core.registry import Registry

NAMES = sorted(c.name for c in Registry().components("objective") if c.plugin == "objectives")
SMALL = {"queue_size": 8, "support_size": 8, "n_prototypes": 4, "predictor_hidden_dim": 8}


def _objective(name: str) -> tuple[nn.Module, nn.Module]:
    component = Registry().get("objective", name)
    params = component.parameters()
    kwargs = {k: v for k, v in {**SMALL, "embed_dim": 5}.items() if k in params}
    if name == "mochi":
        kwargs.update(n_hard=4, n_mix=2, n_query_mix=2)
    encoder = nn.Linear(6, 5)
    objective = component.factory(**kwargs)
    objective.bind(encoder)
    return encoder, objective


def test_every_builtin_objective_is_listed():
    assert {"ntxent", "supcon", "dcl", "dclw", "debiased", "hcl", "mochi", "align-uniform", "polyview", "moco", "mocov3",
            "byol", "simsiam", "barlow", "vicreg", "swav", "nnclr", "clip", "siglip"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_single_view_is_refused(name):
    encoder, objective = _objective(name)
    with pytest.raises(AnyclrError, match="at least 2 views"):
        objective.training_step([torch.randn(4, 6)], encoder, torch.zeros(4, dtype=torch.long))


@pytest.mark.parametrize("name", NAMES)
def test_batch_of_one_is_refused(name):
    encoder, objective = _objective(name)
    with pytest.raises(AnyclrError, match="batch of at least 2"):
        objective.training_step([torch.randn(1, 6), torch.randn(1, 6)], encoder, torch.zeros(1, dtype=torch.long))


@pytest.mark.parametrize("name", NAMES)
def test_mismatched_embedding_sizes_are_refused(name):
    encoder, objective = _objective(name)
    if name in ("clip", "siglip"):  # two encoders of different widths
        pair = nn.ModuleList([nn.Linear(6, 5), nn.Linear(6, 3)])
        with pytest.raises(AnyclrError, match="mismatched"):
            objective.training_step([torch.randn(4, 6), torch.randn(4, 6)], pair)
        return
    if name in ("byol", "simsiam", "moco", "mocov3", "mochi", "nnclr"):  # one encoder for all views: sizes cannot differ
        with pytest.raises(TypeError, match="training_step"):
            objective([torch.randn(4, 5), torch.randn(4, 3)])
        return
    with pytest.raises(AnyclrError, match="mismatched"):
        objective([torch.randn(4, 5), torch.randn(4, 3)], torch.zeros(4, dtype=torch.long))


def test_supcon_needs_labels():
    encoder, objective = _objective("supcon")
    views = [torch.randn(4, 6), torch.randn(4, 6)]
    with pytest.raises(AnyclrError, match="needs labels"):
        objective.training_step(views, encoder, None)
    with pytest.raises(AnyclrError, match="needs labels"):
        objective.training_step(views, encoder, torch.tensor([0, 1, -1, 0]))
    with pytest.raises(AnyclrError, match="needs labels"):
        objective([encoder(v) for v in views], None)


def test_clip_takes_exactly_two_batches():
    encoder, objective = _objective("clip")
    with pytest.raises(AnyclrError, match="exactly 2"):
        objective([torch.randn(4, 5)] * 3)


def test_bad_hyperparameters_are_refused():
    from anyclr.objectives.ntxent import NTXent
    from anyclr.objectives.polyview import PolyView

    with pytest.raises(AnyclrError, match="objective.temperature must be a positive number"):
        NTXent(temperature=0)
    with pytest.raises(ValueError, match="aggregation"):
        PolyView(aggregation="median")
