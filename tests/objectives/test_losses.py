"""Every loss equals its slow re-statement in reference.py: values and gradients, fp64, V = 2 and V = 3 views."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from anyclr.losses.sinkhorn import sinkhorn
from anyclr.objectives.align_uniform import AlignUniform
from anyclr.objectives.barlow import BarlowTwins
from anyclr.objectives.byol import BYOL
from anyclr.objectives.clip import CLIP
from anyclr.objectives.dcl import DCL
from anyclr.objectives.debiased import Debiased
from anyclr.objectives.mochi import MoCHi
from anyclr.objectives.moco import MoCo, queue_infonce
from anyclr.objectives.nnclr import NNCLR
from anyclr.objectives.ntxent import NTXent
from anyclr.objectives.polyview import PolyView
from anyclr.objectives.siglip import SigLIP
from anyclr.objectives.simsiam import SimSiam
from anyclr.objectives.supcon import SupCon
from anyclr.objectives.swav import SwAV
from anyclr.objectives.vicreg import VICReg

from . import reference as ref

LABELS = torch.tensor([0, 1, 0, 2, 1, 0])


def views(v: int, n: int = 6, d: int = 5, seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(v)]


def assert_same(fast: Callable, slow: Callable, inputs: list[torch.Tensor]) -> None:
    """fast(inputs) == slow(inputs) in value and in gradient with respect to every input."""
    a = [t.detach().clone().requires_grad_(True) for t in inputs]
    b = [t.detach().clone().requires_grad_(True) for t in inputs]
    got, want = fast(a), slow(b)
    torch.testing.assert_close(got, want)
    for ga, gb in zip(torch.autograd.grad(got, a, allow_unused=True), torch.autograd.grad(want, b, allow_unused=True), strict=True):
        torch.testing.assert_close(ga, gb)


STATELESS = {
    "ntxent": (lambda: NTXent(0.2), lambda z: ref.ntxent(z, 0.2)),
    "supcon": (lambda: SupCon(0.1), lambda z: ref.ntxent(z, 0.1, LABELS)),
    "dcl": (lambda: DCL(0.1), lambda z: ref.dcl(z, 0.1)),
    "dclw": (lambda: DCL(0.1, weighted=True, sigma=0.5), lambda z: ref.dcl(z, 0.1, True, 0.5)),
    "debiased": (lambda: Debiased(0.5, 0.1), lambda z: ref.debiased(z, 0.5, 0.1)),
    "hcl": (lambda: Debiased(0.5, 0.1, beta=1.0), lambda z: ref.debiased(z, 0.5, 0.1, 1.0)),
    "align-uniform": (lambda: AlignUniform(2, 2, 1), lambda z: ref.align_uniform(z, 2, 2, 1)),
    "polyview-geometric": (lambda: PolyView(0.1, "geometric"), lambda z: ref.polyview(z, 0.1, "geometric")),
    "polyview-arithmetic": (lambda: PolyView(0.1, "arithmetic"), lambda z: ref.polyview(z, 0.1, "arithmetic")),
    "polyview-sufficient": (lambda: PolyView(0.1, "sufficient"), lambda z: ref.polyview(z, 0.1, "sufficient")),
    "barlow": (lambda: BarlowTwins(5e-3), lambda z: ref.barlow(z, 5e-3)),
    "vicreg": (lambda: VICReg(25, 25, 1), lambda z: ref.vicreg(z, 25, 25, 1)),
}


@pytest.mark.parametrize("n_views", [2, 3])
@pytest.mark.parametrize("name", list(STATELESS))
def test_loss_matches_reference(name, n_views):
    build, slow = STATELESS[name]
    objective = build().double()
    labels = LABELS if name == "supcon" else None
    assert_same(lambda z: objective(z, labels), slow, views(n_views))


def test_clip_and_siglip_match_reference():
    clip = CLIP().double()
    assert_same(lambda z: clip(z), lambda z: ref.clip(z[0], z[1], clip.logit_scale.exp()), views(2))
    siglip = SigLIP().double()
    with torch.no_grad():  # away from the init, where sigmoid saturates and every gradient is tiny
        siglip.logit_scale.fill_(0.3)
        siglip.logit_bias.fill_(-0.5)
    scale, bias = siglip.logit_scale.exp(), siglip.logit_bias
    assert_same(lambda z: siglip(z), lambda z: ref.siglip(z[0], z[1], scale, bias), views(2))
    # the learned scale and bias get the reference gradient too
    z = [t.detach() for t in views(2)]
    got = torch.autograd.grad(siglip(z), [siglip.logit_scale, siglip.logit_bias])
    ls, lb = siglip.logit_scale.detach().clone().requires_grad_(True), siglip.logit_bias.detach().clone().requires_grad_(True)
    want = torch.autograd.grad(ref.siglip(z[0], z[1], ls.exp(), lb), [ls, lb])
    torch.testing.assert_close(got, want)


def test_moco_queue_infonce_matches_reference():
    q, k = views(2, n=5, d=4)
    queue = torch.nn.functional.normalize(torch.randn(7, 4, dtype=torch.float64), dim=1)

    def fast(t):
        qn, kn = (torch.nn.functional.normalize(x, dim=1) for x in t)
        return queue_infonce(qn, kn, queue, 0.2).mean()

    assert_same(fast, lambda t: ref.moco(t[0], t[1], queue, 0.2), [q, k])


class Identity(nn.Module):
    """An 'encoder' whose embeddings are its inputs (so references can work on the views directly)."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(d, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


@pytest.mark.parametrize("n_views", [2, 3])
def test_byol_and_simsiam_match_reference(n_views):
    byol = BYOL(embed_dim=5, predictor_hidden_dim=8, predictor_batchnorm=False).double()
    encoder = Identity(5)
    byol.bind(encoder)
    pred = byol.predictor

    def slow_byol(z):
        return ref.byol([pred(x * encoder.scale) for x in z], [x.detach() for x in z])

    assert_same(lambda z: byol.training_step(z, encoder), slow_byol, views(n_views))
    simsiam = SimSiam(embed_dim=5, predictor_hidden_dim=8, predictor_batchnorm=False).double()
    assert_same(lambda z: simsiam.training_step(z, encoder), lambda z: ref.simsiam([simsiam.predictor(x) for x in z], z), views(n_views))


def test_sinkhorn_matches_reference():
    scores = torch.randn(6, 4, dtype=torch.float64)
    torch.testing.assert_close(sinkhorn(scores, 0.5, 3), ref.sinkhorn(scores, 0.5, 3))
    g = torch.Generator().manual_seed(0)  # unseeded, about 1 draw in 12 had not equipartitioned after 50 iterations
    codes = sinkhorn(torch.randn(64, 8, dtype=torch.float64, generator=g).tanh(), 0.05, 50)  # cosine-like scores
    torch.testing.assert_close(codes.sum(1), torch.ones(64, dtype=torch.float64))  # each sample: a distribution
    torch.testing.assert_close(codes.sum(0), torch.full((8,), 8.0, dtype=torch.float64), rtol=1e-3, atol=1e-3)  # equipartition


@pytest.mark.parametrize("n_views", [2, 3])
def test_swav_matches_reference(n_views):
    torch.manual_seed(0)
    swav = SwAV(embed_dim=5, n_prototypes=4, temperature=0.1, epsilon=0.5).double()
    protos = swav.prototypes.weight
    assert_same(lambda z: swav(z), lambda z: ref.swav(z, protos, 0.1, 0.5, 3), views(n_views))
    # prototypes get the reference gradient too
    z = [t.detach() for t in views(n_views)]
    got = torch.autograd.grad(swav(z), protos)[0]
    p = protos.detach().clone().requires_grad_(True)
    want = torch.autograd.grad(ref.swav(z, p, 0.1, 0.5, 3), p)[0]
    torch.testing.assert_close(got, want)


@pytest.mark.parametrize("n_views", [2, 3])
def test_nnclr_matches_reference(n_views):
    nnclr = NNCLR(embed_dim=5, support_size=9, predictor_hidden_dim=8, predictor_batchnorm=False).double()
    support = torch.nn.functional.normalize(torch.randn(9, 5, dtype=torch.float64), dim=1)
    nnclr.support.push(support)
    encoder = Identity(5)

    def slow(z):
        return ref.nnclr(z, [nnclr.predictor(x) for x in z], support, 0.1)

    assert_same(lambda z: nnclr.training_step(z, encoder), slow, views(n_views))


def test_nnclr_support_set_fills_after_step():
    nnclr = NNCLR(embed_dim=5, support_size=8, predictor_hidden_dim=0).double()
    encoder = Identity(5)
    nnclr.training_step(views(2), encoder)
    assert int(nnclr.support.filled) == 0
    nnclr.after_step(encoder, 0.1)
    assert int(nnclr.support.filled) == 6
    nnclr.training_step(views(2, seed=1), encoder)
    nnclr.after_step(encoder, 0.2)
    assert int(nnclr.support.filled) == 8 and int(nnclr.support.ptr) == 4


def test_moco_first_step_matches_reference_and_queue_advances():
    torch.manual_seed(0)
    encoder = Identity(5)
    moco = MoCo(embed_dim=5, queue_size=7, momentum=0.9, symmetric=False).double()
    moco.bind(encoder)
    queue = moco.queue.get().clone()
    z = views(2)
    loss = moco.training_step(z, encoder)
    torch.testing.assert_close(loss, ref.moco(z[0], z[1], queue, 0.2))
    moco.after_step(encoder, 0.0)
    kn = torch.nn.functional.normalize(z[1].detach(), dim=1)
    torch.testing.assert_close(moco.queue.items[:6], kn)
    torch.testing.assert_close(moco.queue.items[6], queue[6])
    assert int(moco.queue.ptr) == 6


def test_mochi_with_one_hard_negative_mixes_it_with_itself():
    torch.manual_seed(0)
    mochi = MoCHi(embed_dim=5, queue_size=7, n_hard=1, n_mix=3, n_query_mix=0).double()
    q = torch.nn.functional.normalize(torch.randn(4, 5, dtype=torch.float64), dim=1)
    queue = mochi.queue.get()
    extra = mochi.extra_negatives(q, queue)
    assert extra.shape == (4, 3)
    hardest = (q @ queue.T).max(dim=1).values
    torch.testing.assert_close(extra, hardest[:, None].expand(4, 3))


@pytest.mark.parametrize("name", list(STATELESS))
def test_losses_run_in_float32_under_autocast(name):
    build, _ = STATELESS[name]
    objective = build()
    labels = LABELS if name == "supcon" else None
    z = [t.detach().to(torch.bfloat16) for t in views(2)]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = objective(z, labels)
    assert low.dtype == torch.float32
    torch.testing.assert_close(low, objective([t.float() for t in z], labels))
