"""The Fashion-MNIST benchmark's SimCLR matches LightlySSL's step for step (skipped without lightly).

Same projection head (SimCLR's reference layout) and the same NT-Xent: with copied weights and the
same views, one view at a time through the model, loss and gradients agree.
"""

from __future__ import annotations

import pytest
import torch

from anyclr.core.encoder import Encoder
from anyclr.core.objective import view_batches
from anyclr.heads.mlp import MLP
from anyclr.objectives.ntxent import NTXent

lightly_loss = pytest.importorskip("lightly.loss", reason="LightlySSL is a benchmark peer (the bench extra)")
lightly_modules = pytest.importorskip("lightly.models.modules")


def test_simclr_step_equals_lightly():
    torch.manual_seed(0)
    backbone = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU())
    head = MLP(in_dim=16, hidden_dim=32, out_dim=8, last_batchnorm=True, last_affine=True)
    theirs_head = lightly_modules.SimCLRProjectionHead(16, 32, 8)
    assert [tuple(p.shape) for p in head.parameters()] == [tuple(p.shape) for p in theirs_head.parameters()]
    with torch.no_grad():
        for a, b in zip(head.parameters(), theirs_head.parameters(), strict=True):
            b.copy_(a)
    ours = Encoder(backbone, head)
    theirs = torch.nn.Sequential(backbone, theirs_head)
    x0, x1 = torch.randn(12, 10), torch.randn(12, 10)
    with view_batches("separate"):
        loss = NTXent(temperature=0.2).training_step([x0, x1], ours)
    want = lightly_loss.NTXentLoss(temperature=0.2)(theirs(x0), theirs(x1))
    torch.testing.assert_close(loss, want)
    grads = torch.autograd.grad(loss, list(ours.parameters()))
    for g, w in zip(grads, torch.autograd.grad(want, list(theirs.parameters())), strict=True):
        torch.testing.assert_close(g, w, rtol=1e-4, atol=1e-6)
