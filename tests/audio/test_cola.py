"""COLA's objective against a direct statement of its formula, and its head."""

from __future__ import annotations

import torch

from anyclr.plugins.audio.encoders.cola_head import COLAHead
from anyclr.plugins.audio.objectives.cola import COLA


def reference(a: torch.Tensor, p: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """-1/B sum_i log exp(a_i^T W p_i) / sum_j exp(a_i^T W p_j), one anchor at a time."""
    total = 0.0
    for i in range(len(a)):
        s = torch.stack([a[i] @ w @ p[j] for j in range(len(p))])
        total = total - (s[i] - torch.logsumexp(s, 0))
    return total / len(a)


def test_cola_is_cross_entropy_of_bilinear_scores():
    torch.manual_seed(0)
    cola = COLA(embed_dim=6).double()
    a, p = torch.randn(5, 6, dtype=torch.float64), torch.randn(5, 6, dtype=torch.float64)
    w = cola.similarity.weight
    torch.testing.assert_close(cola([a, p]), reference(a, p, w))
    sym = COLA(embed_dim=6, symmetric=True).double()
    sym.similarity.weight.data.copy_(w)
    torch.testing.assert_close(sym([a, p]), (reference(a, p, w) + reference(p, a, w.T)) / 2)


def test_cola_trains_its_similarity_and_the_embeddings():
    cola = COLA(embed_dim=4)
    a = torch.randn(6, 4, requires_grad=True)
    p = torch.randn(6, 4, requires_grad=True)
    cola([a, p]).backward()
    assert cola.similarity.weight.grad.abs().sum() > 0 and a.grad.abs().sum() > 0 and p.grad.abs().sum() > 0


def test_cola_head_is_bounded():
    head = COLAHead(in_dim=8, out_dim=5)
    z = head(100 * torch.randn(3, 8))
    assert z.shape == (3, 5) and head.out_dim == 5 and bool((z.abs() < 1).all())
