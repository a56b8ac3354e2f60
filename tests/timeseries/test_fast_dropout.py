"""The CPU-fast dropout: the right drop rate and scale, identity in eval mode, reproducible under a seed."""

from __future__ import annotations

import pytest
import torch

from anyclr.plugins.timeseries.encoders.fast_dropout import Dropout, dropout


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_drop_rate_and_scale(p):
    torch.manual_seed(0)
    x = torch.ones(200_001)  # not a multiple of 4: the last word is cut
    y = dropout(x, p)
    dropped = (y == 0).float().mean().item()
    assert abs(dropped - p) < 0.005
    torch.testing.assert_close(y[y != 0], torch.full_like(y[y != 0], 1 / (1 - p)))
    assert abs(y.mean().item() - 1.0) < 0.01  # unbiased


def test_gradient_is_the_mask():
    x = torch.randn(3, 5, 7, requires_grad=True)
    torch.manual_seed(1)
    y = dropout(x, 0.3)
    y.sum().backward()
    torch.testing.assert_close(x.grad, (y.detach() / x.detach()))


def test_eval_mode_and_edge_probabilities():
    x = torch.randn(4, 6)
    module = Dropout(0.4).eval()
    assert module(x) is x
    assert torch.equal(dropout(x, 0.0), x)
    assert torch.equal(dropout(x, 1.0), torch.zeros_like(x))
    with pytest.raises(ValueError, match="dropout probability"):
        Dropout(1.5)


def test_seeded_masks_repeat():
    x = torch.ones(1000)
    torch.manual_seed(5)
    a = dropout(x, 0.2)
    torch.manual_seed(5)
    assert torch.equal(a, dropout(x, 0.2))
