"""The learning-rate schedule and device selection."""

from __future__ import annotations

import pytest
import torch

from anyclr.core.device import autocast_dtype, select_device, use_channels_last
from anyclr.core.errors import AnyclrError
from anyclr.core.optim import lr_factor, make_optimizer


def test_warmup_then_cosine_to_final_ratio():
    total, warm = 100, 10
    f = [lr_factor(s, total, warm, 0.1) for s in range(total + 1)]
    assert f[0] == pytest.approx(0.1) and f[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(f[10:], f[11:], strict=False))
    assert f[total] == pytest.approx(0.1)
    assert lr_factor(55, total, warm, 0.0) == pytest.approx(0.5)


def test_biases_and_norms_are_not_decayed():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4))
    opt = make_optimizer("adamw", [model], lr=1e-3, weight_decay=0.1, momentum=0.9)
    decays = sorted((g["weight_decay"], len(g["params"])) for g in opt.param_groups)
    assert decays == [(0.0, 3), (0.1, 1)]
    with pytest.raises(AnyclrError, match="adamw"):
        make_optimizer("adamww", [model], lr=1e-3, weight_decay=0.1, momentum=0.9)


def test_cpu_device_and_precision():
    cpu = select_device("cpu")
    assert cpu.type == "cpu" and autocast_dtype(cpu, "auto") is None
    assert autocast_dtype(torch.device("cuda"), "auto") == torch.bfloat16
    assert not use_channels_last(cpu, "auto") and use_channels_last(cpu, "true")
    assert use_channels_last(torch.device("cuda"), "auto") and not use_channels_last(torch.device("cuda"), "false")
    with pytest.raises(AnyclrError):
        autocast_dtype(cpu, "fp8")
