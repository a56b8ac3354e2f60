"""``view_batches``: views through the encoder in one batch (shared BatchNorm statistics) or one by one."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.core.objective import encode_views, view_batches


class Counting(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6))
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.net(x)


def test_joint_is_one_call_separate_is_one_per_view_with_per_view_statistics():
    torch.manual_seed(0)
    encoder = Counting().train()
    views = [torch.randn(8, 4), torch.randn(8, 4) + 3.0]
    joint = encode_views(encoder, views)
    assert encoder.calls == 1
    with view_batches("separate"):
        separate = encode_views(encoder, views)
    assert encoder.calls == 3
    for z in separate:  # each view normalised by its own batch statistics
        torch.testing.assert_close(z.mean(0), encoder.net[1].bias.detach().expand(6), atol=1e-5, rtol=0)
    assert not torch.allclose(joint[1], separate[1])
    encoder.eval()  # running statistics: the two ways agree
    with view_batches("separate"):
        separate = encode_views(encoder, views)
    torch.testing.assert_close(separate, encode_views(encoder, views))


def test_unknown_mode_is_named():
    with pytest.raises(AnyclrError, match="view_batches"), view_batches("both"):
        pass
