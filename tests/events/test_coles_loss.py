"""The CoLES loss equals pytorch-lifestream's formula (ContrastiveLoss + HardNegativePairSelector), restated here."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.objectives.coles import CoLES


def lifestream_coles(embeddings: torch.Tensor, target: torch.Tensor, margin: float = 0.5, neg_count: int = 5) -> torch.Tensor:
    """ptls: all positive pairs (i < j), and for every column the ``neg_count`` nearest rows of other classes; summed."""
    n = target.size(0)
    x = target.expand(n, n) - target.expand(n, n).t()
    positive_pairs = torch.triu((x == 0).int(), diagonal=1).nonzero(as_tuple=False)
    distances = torch.cdist(embeddings.detach(), embeddings.detach())
    upper_bound = int((2 * n) ** 0.5) + 1
    distances = (upper_bound - distances) * (x != 0).type(distances.dtype)
    _, indices = distances.topk(k=neg_count, dim=0, largest=True)
    negative_pairs = torch.stack([torch.arange(0, n).repeat(neg_count), torch.cat(indices.unbind(dim=0))]).t()
    positive = F.pairwise_distance(embeddings[positive_pairs[:, 0]], embeddings[positive_pairs[:, 1]]).pow(2)
    negative = F.relu(margin - F.pairwise_distance(embeddings[negative_pairs[:, 0]], embeddings[negative_pairs[:, 1]])).pow(2)
    return torch.cat([positive, negative]).sum()


@pytest.mark.parametrize(("views", "batch", "margin", "neg_count"), [(2, 8, 0.5, 5), (5, 6, 0.5, 5), (3, 10, 1.2, 2)])
def test_loss_and_gradient_match_the_formula(views, batch, margin, neg_count):
    g = torch.Generator().manual_seed(views * 100 + batch)
    z = [torch.randn(batch, 7, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(views)]
    ours = CoLES(margin, neg_count)(z) * (views * batch)
    (grad_ours,) = torch.autograd.grad(ours, z[0])
    stacked = F.normalize(torch.cat(z), dim=1)  # ptls's Head(use_norm_encoder=True)
    target = torch.arange(batch).repeat(views)
    reference = lifestream_coles(stacked, target, margin, neg_count)
    (grad_ref,) = torch.autograd.grad(reference, z[0])
    # Each positive pair is measured from both ends here, once (i < j) in ptls; the 1e-6 inside the distance
    # makes ||a - b + eps|| and ||b - a + eps|| differ in the sixth digit.
    torch.testing.assert_close(ours, reference, rtol=1e-5, atol=1e-8)
    torch.testing.assert_close(grad_ours, grad_ref, rtol=1e-4, atol=1e-5)


def test_positives_pull_together_and_negatives_push_apart():
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    same = CoLES(margin=0.5)([a, a.clone()])
    assert same < 1e-10  # positives coincide (up to the eps inside distances), negatives are sqrt(2) > margin apart
    far = CoLES(margin=0.5)([a, torch.tensor([[0.0, 1.0], [1.0, 0.0]])])
    assert far > 0.9  # each positive sqrt(2) away, each negative at distance ~0 (inside the margin)


def test_too_few_views_is_a_clear_error():
    with pytest.raises(AnyclrError, match="coles needs at least 2 views"):
        CoLES()([torch.randn(4, 3)])
