"""Stateful objectives: their state (momentum targets, queues, prototypes, support sets, step counters) lives in
``state_dict``, so stopping after a step and restoring a fresh objective from it continues exactly."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from anyclr.core.checkpoint import split_weights, weights_of
from anyclr.core.registry import Registry

STATEFUL: dict[str, dict[str, Any]] = {
    "moco": {"queue_size": 8},
    "mocov3": {"predictor_hidden_dim": 8},
    "mochi": {"queue_size": 8, "n_hard": 4, "n_mix": 3, "n_query_mix": 2},
    "byol": {"predictor_hidden_dim": 8},
    "swav": {"n_prototypes": 5, "queue_size": 8, "freeze_prototypes_steps": 1},
    "nnclr": {"support_size": 8, "predictor_hidden_dim": 8},
    "clip": {},
}


def _build(name: str, seed: int) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    encoder = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 5)).double()
    component = Registry().get("objective", name)
    objective = component.factory(embed_dim=5, **STATEFUL[name]) if "embed_dim" in component.parameters() else component.factory(**STATEFUL[name])
    objective = objective.double()
    objective.bind(encoder)
    return encoder, objective


def _steps(encoder: nn.Module, objective: nn.Module, steps: range, total: int) -> list[float]:
    params = [p for m in (encoder, objective) for p in m.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=0.1, momentum=0.0)
    losses = []
    for step in steps:
        g = torch.Generator().manual_seed(step)
        views = [torch.randn(6, 6, generator=g, dtype=torch.float64) for _ in range(2)]
        loss = objective.training_step(views, encoder)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        objective.after_step(encoder, (step + 1) / total)
        losses.append(float(loss.detach()))
    return losses


@pytest.mark.parametrize("name", list(STATEFUL))
def test_restored_objective_continues_exactly(name):
    encoder, objective = _build(name, seed=0)
    straight = _steps(encoder, objective, range(4), 4)

    encoder, objective = _build(name, seed=0)
    first = _steps(encoder, objective, range(2), 4)
    saved = weights_of({"encoder": encoder, "objective": objective})
    # a fresh build (different initial weights) bound to the encoder, then restored, as the trainer does on --resume
    encoder, objective = _build(name, seed=1)
    encoder.load_state_dict(split_weights(saved, "encoder"))
    objective.load_state_dict(split_weights(saved, "objective"))
    resumed = first + _steps(encoder, objective, range(2, 4), 4)

    assert resumed == pytest.approx(straight, rel=1e-12, abs=1e-12)


def test_state_dict_holds_the_state():
    keys = {name: set(_build(name, 0)[1].state_dict()) for name in ("moco", "byol", "swav", "nnclr", "mochi")}
    assert {"queue.items", "queue.ptr"} <= keys["moco"] and any(k.startswith("target.net.") for k in keys["moco"])
    assert any(k.startswith("target.net.") for k in keys["byol"]) and any(k.startswith("predictor.") for k in keys["byol"])
    assert {"prototypes.weight", "queues.0.items", "steps"} <= keys["swav"]
    assert {"support.items", "support.filled"} <= keys["nnclr"]
    assert "steps" in keys["mochi"]


def test_momentum_schedule_rises_to_one():
    from anyclr.losses.ema import cosine_momentum

    assert cosine_momentum(0.0, 0.996) == pytest.approx(0.996)
    assert cosine_momentum(0.5, 0.996) == pytest.approx(0.998)
    assert cosine_momentum(1.0, 0.996) == pytest.approx(1.0)


def test_ema_target_moves_towards_online():
    from anyclr.losses.ema import EMATarget

    online = nn.Linear(3, 2)
    target = EMATarget(online, base_momentum=0.9)
    before = target.net.weight.detach().clone()
    with torch.no_grad():
        online.weight.add_(1.0)
    target.update(online, progress=0.0)
    torch.testing.assert_close(target.net.weight, 0.9 * before + 0.1 * online.weight.detach())
    assert not any(p.requires_grad for p in target.parameters())


def test_predictors_follow_the_encoders_sync_batchnorm():
    from anyclr.objectives.byol import BYOL

    encoder = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5)))
    byol = BYOL(embed_dim=5, predictor_hidden_dim=8)
    byol.bind(encoder)
    assert any(isinstance(m, nn.SyncBatchNorm) for m in byol.predictor.modules())
    plain = BYOL(embed_dim=5, predictor_hidden_dim=8)
    plain.bind(nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5)))
    assert not any(isinstance(m, nn.SyncBatchNorm) for m in plain.predictor.modules())
