"""One TS2Vec training step (crops, masks, encoder, loss, gradients) against the reference package, when installed."""

import pytest
import torch

from anyclr.plugins.timeseries.encoders.dilated_conv import DilatedConvEncoder
from anyclr.plugins.timeseries.objectives.hierarchical import HierarchicalContrastive
from anyclr.plugins.timeseries.views.contextual_crops import ContextualCrops

encoder_module = pytest.importorskip("ts2vec.models.encoder")
losses_module = pytest.importorskip("ts2vec.models.losses")


def twin_encoders(seed: int = 0) -> tuple[DilatedConvEncoder, torch.nn.Module]:
    """Our encoder and the reference TSEncoder holding the same weights (same parameter order)."""
    torch.manual_seed(seed)
    ours = DilatedConvEncoder(in_channels=2)
    ref = encoder_module.TSEncoder(input_dims=2, output_dims=320)
    state = {}
    for mine, (name, theirs) in zip(ours.state_dict().values(), ref.state_dict().items(), strict=True):
        assert mine.shape == theirs.shape, name
        state[name] = mine.clone()
    ref.load_state_dict(state)
    return ours, ref


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_step_matches_the_reference_loss_and_gradients(seed):
    # Dropout off on both sides (eval mode) so the step is deterministic; the masks come from the views.
    ours, ref = twin_encoders()
    ours.eval()
    ref.eval()
    torch.manual_seed(100 + seed)
    x = torch.randn(4, 37, 2)
    views = ContextualCrops()(x)
    loss = HierarchicalContrastive(average="none").training_step(views, ours)
    loss.backward()
    outs = []
    for v in views:
        start, length = v.overlap
        outs.append(ref(v.x.clone(), mask=v.keep.clone())[:, start : start + length])
    ref_loss = losses_module.hierarchical_contrastive_loss(*outs)
    ref_loss.backward()
    torch.testing.assert_close(loss, ref_loss, rtol=1e-5, atol=1e-5)
    for p, r in zip(ours.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(p.grad, r.grad, rtol=1e-4, atol=1e-5 * float(r.grad.abs().max()) + 1e-7)


def test_full_series_encoding_matches_the_reference():
    ours, ref = twin_encoders()
    ours.eval()
    ref.eval()
    x = torch.randn(3, 29, 2)
    with torch.no_grad():
        expected = ref(x.clone(), mask="all_true").amax(dim=1)  # encode(encoding_window="full_series")
        torch.testing.assert_close(ours.pool(ours(x)), expected, rtol=1e-5, atol=1e-5)
