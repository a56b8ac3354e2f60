"""``anyclr.losses`` is enough to write an objective: the example in its docstring is NT-Xent, exactly."""

from __future__ import annotations

import torch

import anyclr.losses
from anyclr.core.objective import Objective
from anyclr.losses import check_embeddings, full_precision, gather_views, multi_positive_nce, share_of_mean, view_pairs
from anyclr.objectives.ntxent import NTXent


class MyNTXent(Objective):
    """The third-party objective of ``anyclr.losses``' docstring."""

    @full_precision
    def forward(self, z, labels=None):
        check_embeddings(z, "my-ntxent")
        g = gather_views(z)
        self_index, positives = view_pairs(g)
        per_anchor = multi_positive_nce(g.local.flatten(0, 1), g.full.flatten(0, 1), self_index, positives, 0.2)
        return share_of_mean(per_anchor.sum(), per_anchor.numel())


def test_the_documented_example_equals_the_built_in_ntxent():
    assert "multi_positive_nce(g.local.flatten(0, 1), g.full.flatten(0, 1)" in anyclr.losses.__doc__
    g = torch.Generator().manual_seed(0)
    z = [torch.randn(6, 4, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(3)]
    mine, built_in = MyNTXent()(z), NTXent(temperature=0.2)(z)
    torch.testing.assert_close(mine, built_in)
    for a, b in zip(torch.autograd.grad(mine, z), torch.autograd.grad(built_in, z), strict=True):
        torch.testing.assert_close(a, b)


def test_every_public_name_is_there_and_documented():
    for name in anyclr.losses.__all__:
        part = getattr(anyclr.losses, name)
        assert (part.__doc__ or "").strip(), f"{name} has no docstring"
        assert f"`{name}`" in anyclr.losses.__doc__, f"{name} is not in the module's guide"
