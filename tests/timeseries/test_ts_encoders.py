"""Time-series encoders: TS2Vec's encoder re-stated, masks, padding, pooling and channel checks."""

import pytest
import torch
import torch.nn.functional as F

from anyclr.core.errors import AnyclrError
from anyclr.plugins.timeseries.encoders.dilated_conv import DilatedConvEncoder
from anyclr.plugins.timeseries.encoders.resnet1d import ResNet1D
from anyclr.plugins.timeseries.encoders.transformer import TransformerEncoder1D
from anyclr.plugins.timeseries.series import SeriesView

ENCODERS = [
    lambda c: DilatedConvEncoder(c, out_dim=24, hidden=8, depth=4),
    lambda c: ResNet1D(c, widths=(8, 16, 16)),
    lambda c: TransformerEncoder1D(c, width=16, depth=2, heads=2),
]


def reference_forward(enc: DilatedConvEncoder, x: torch.Tensor) -> torch.Tensor:
    """TS2Vec's TSEncoder.forward in eval mode ('all_true' mask), with plain padded convolutions."""
    nan_mask = ~x.isnan().any(dim=-1)
    x = x.masked_fill(~nan_mask[..., None], 0.0)
    h = enc.input_fc(x).masked_fill(~nan_mask[..., None], 0.0).transpose(1, 2)
    for block in enc.blocks:
        res = h if block.projector is None else block.projector(h)
        for conv in (block.conv1.conv, block.conv2.conv):
            h = conv(F.gelu(h))  # padding = dilation: every tap, even those that only read padding
        h = h + res
    return h.transpose(1, 2)


@pytest.mark.parametrize("length", [5, 40, 300])
def test_dilated_conv_matches_reference(length):
    torch.manual_seed(0)
    enc = DilatedConvEncoder(2, out_dim=32, hidden=16, depth=6).eval()
    x = torch.randn(3, length, 2, requires_grad=True)
    ours, ref = enc(x), reference_forward(enc, x)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-4)
    g_ours = torch.autograd.grad(ours.square().sum(), [x, *enc.parameters()])
    g_ref = torch.autograd.grad(ref.square().sum(), [x, *enc.parameters()])
    for a, b in zip(g_ours, g_ref, strict=True):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("make", ENCODERS)
def test_padded_series_encodes_as_alone_and_padding_is_nan(make):
    torch.manual_seed(0)
    enc = make(3).eval()
    x = torch.randn(2, 30, 3)
    padded = torch.cat([x, torch.full((2, 12, 3), float("nan"))], dim=1)
    with torch.no_grad():
        alone, h = enc(x), enc(padded)
    assert h.shape == (2, 42, enc.out_dim)
    assert torch.isnan(h[:, 30:]).all() and not torch.isnan(h[:, :30]).any()
    torch.testing.assert_close(h[:, :30], alone, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(enc.pool(h), enc.pool(alone), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("make", ENCODERS)
def test_unequal_lengths_in_one_batch(make):
    torch.manual_seed(0)
    enc = make(1).eval()
    short, long = torch.randn(1, 10, 1), torch.randn(1, 25, 1)
    batch = torch.cat([torch.cat([short, torch.full((1, 15, 1), float("nan"))], dim=1), long])
    with torch.no_grad():
        pooled = enc.pool(enc(batch))
        torch.testing.assert_close(pooled[0], enc.pool(enc(short))[0], atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(pooled[1], enc.pool(enc(long))[0], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("make", ENCODERS)
def test_missing_values_inside_a_series(make):
    torch.manual_seed(0)
    enc = make(2).eval()
    x = torch.randn(2, 20, 2)
    x[0, 5] = float("nan")  # a whole timestamp missing: NaN output there
    x[1, 7, 0] = float("nan")  # one channel missing: still observed
    with torch.no_grad():
        h = enc(x)
    assert torch.isnan(h[0, 5]).all() and not torch.isnan(h[1]).any()
    assert torch.isfinite(enc.pool(h)).all()


@pytest.mark.parametrize("make", ENCODERS)
def test_pooled_output_and_view_masks(make):
    torch.manual_seed(0)
    enc = make(1).eval()
    x = torch.randn(4, 16, 1)
    with torch.no_grad():
        h = enc(x)
        enc.output = "pooled"
        torch.testing.assert_close(enc(x), enc.pool(h))
        enc.output = "timestamps"
        keep = torch.ones(4, 16, dtype=torch.bool)
        torch.testing.assert_close(enc(SeriesView(x, keep=keep)), h)
        keep[:, ::2] = False
        assert not torch.allclose(enc(SeriesView(x, keep=keep)), h)


@pytest.mark.parametrize("make", ENCODERS)
def test_channel_count_must_match(make):
    enc = make(3)
    with pytest.raises(AnyclrError, match="2 channel.*built for 3"):
        enc(torch.randn(2, 10, 2))


def test_gradients_reach_every_parameter():
    torch.manual_seed(0)
    for make in ENCODERS:
        enc = make(2).train()
        enc(SeriesView(torch.randn(4, 20, 2), keep=torch.rand(4, 20) < 0.5)).sum().backward()
        assert all(p.grad is not None for p in enc.parameters())


@pytest.mark.parametrize("length", [6, 40, 300])
def test_dilated_conv_window_returns_the_same_timestamps(length):
    torch.manual_seed(0)
    enc = DilatedConvEncoder(1, out_dim=16, hidden=8, depth=8).eval()
    x = torch.randn(3, length, 1)
    starts, size = torch.tensor([0, 1, length - 4]), 4
    with torch.no_grad():
        full, cut = enc(x), enc(SeriesView(x, window=(starts, size)))
    assert cut.shape == (3, size, 16)
    for b in range(3):
        torch.testing.assert_close(cut[b], full[b, starts[b] : starts[b] + size])
