"""TS2Vec's hierarchical loss against a direct re-statement of the paper's code (values and gradients)."""

import pytest
import torch
import torch.nn.functional as F

from anyclr.plugins.timeseries.encoders.dilated_conv import DilatedConvEncoder
from anyclr.plugins.timeseries.objectives.hierarchical import HierarchicalContrastive, hierarchical_contrastive_loss
from anyclr.plugins.timeseries.views.contextual_crops import ContextualCrops

# --- TS2Vec's losses.py, re-stated (tril/triu logits, as in the reference code) -----------------------------------


def ref_instance(z1, z2):
    B = z1.size(0)
    if B == 1:
        return z1.new_tensor(0.0)
    z = torch.cat([z1, z2], dim=0).transpose(0, 1)
    sim = torch.matmul(z, z.transpose(1, 2))
    logits = torch.tril(sim, diagonal=-1)[:, :, :-1] + torch.triu(sim, diagonal=1)[:, :, 1:]
    logits = -F.log_softmax(logits, dim=-1)
    i = torch.arange(B)
    return (logits[:, i, B + i - 1].mean() + logits[:, B + i, i].mean()) / 2


def ref_temporal(z1, z2):
    T = z1.size(1)
    if T == 1:
        return z1.new_tensor(0.0)
    z = torch.cat([z1, z2], dim=1)
    sim = torch.matmul(z, z.transpose(1, 2))
    logits = torch.tril(sim, diagonal=-1)[:, :, :-1] + torch.triu(sim, diagonal=1)[:, :, 1:]
    logits = -F.log_softmax(logits, dim=-1)
    t = torch.arange(T)
    return (logits[:, t, T + t - 1].mean() + logits[:, T + t, t].mean()) / 2


def ref_hierarchical(z1, z2, alpha=0.5, temporal_unit=0):
    loss = torch.tensor(0.0, dtype=z1.dtype)
    d = 0
    while z1.size(1) > 1:
        if alpha != 0:
            loss = loss + alpha * ref_instance(z1, z2)
        if d >= temporal_unit and 1 - alpha != 0:
            loss = loss + (1 - alpha) * ref_temporal(z1, z2)
        d += 1
        z1 = F.max_pool1d(z1.transpose(1, 2), kernel_size=2).transpose(1, 2)
        z2 = F.max_pool1d(z2.transpose(1, 2), kernel_size=2).transpose(1, 2)
    if z1.size(1) == 1:
        if alpha != 0:
            loss = loss + alpha * ref_instance(z1, z2)
        d += 1
    return loss / d


# --- the masked loss, re-stated one anchor at a time ---------------------------------------------------------------


def loop_nce(rows, valid):
    """Mean over valid anchors of -log softmax(positive) among the other valid rows; rows [2N, C]."""
    n = rows.shape[0] // 2
    terms = []
    if int(valid.sum()) <= 2:
        return terms
    for a in range(2 * n):
        if not valid[a]:
            continue
        p = a + n if a < n else a - n
        others = [k for k in range(2 * n) if k != a and valid[k]]
        logits = torch.stack([rows[a] @ rows[k] for k in others])
        terms.append(-(rows[a] @ rows[p] - torch.logsumexp(logits, 0)))
    return terms


def loop_hierarchical(z1, z2, valid, alpha=0.5):
    total, d = 0.0, 0
    while True:
        B, T = z1.shape[:2]
        inst = [term for t in range(T) for term in loop_nce(torch.cat([z1[:, t], z2[:, t]]), torch.cat([valid[:, t], valid[:, t]]))]
        if B > 1 and inst:
            total = total + alpha * torch.stack(inst).mean()
        if T > 1:
            temp = [term for b in range(B) for term in loop_nce(torch.cat([z1[b], z2[b]]), torch.cat([valid[b], valid[b]]))]
            if temp:
                total = total + (1 - alpha) * torch.stack(temp).mean()
        d += 1
        if T == 1:
            return total / d
        h = T // 2 * 2
        pooled = []
        for z in (z1, z2):
            filled = torch.where(valid[..., None], z, torch.full_like(z, -1e30))
            m = torch.maximum(filled[:, 0:h:2], filled[:, 1:h:2])
            pooled.append(m)
        valid = valid[:, 0:h:2] | valid[:, 1:h:2]
        z1, z2 = (torch.where(valid[..., None], m, torch.zeros_like(m)) for m in pooled)


@pytest.mark.parametrize("shape", [(8, 37, 16), (1, 5, 4), (4, 1, 8), (3, 64, 5), (2, 2, 3)])
@pytest.mark.parametrize("alpha,unit", [(0.5, 0), (0.3, 1), (1.0, 0), (0.0, 0)])
def test_matches_ts2vec_reference(shape, alpha, unit):
    g = torch.Generator().manual_seed(sum(shape))
    z1 = torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
    ours = hierarchical_contrastive_loss(z1, z2, alpha, unit)
    ref = ref_hierarchical(z1, z2, alpha, unit)
    torch.testing.assert_close(ours, ref)
    if not ref.requires_grad:  # e.g. one sample and no temporal term: the loss is a constant 0
        assert float(ours) == 0.0
        return
    for a, b in zip(torch.autograd.grad(ours, [z1, z2]), torch.autograd.grad(ref, [z1, z2]), strict=True):
        torch.testing.assert_close(a, b)


def test_masked_loss_matches_loop_restatement():
    g = torch.Generator().manual_seed(0)
    z1 = torch.randn(4, 11, 6, generator=g, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(4, 11, 6, generator=g, dtype=torch.float64, requires_grad=True)
    valid = torch.ones(4, 11, dtype=torch.bool)
    valid[1, 7:] = False  # a shorter series
    valid[2, 3] = False  # a gap
    ours = hierarchical_contrastive_loss(z1, z2, 0.5, 0, valid)
    ref = loop_hierarchical(z1, z2, valid)
    torch.testing.assert_close(ours, ref)
    for a, b in zip(torch.autograd.grad(ours, [z1, z2]), torch.autograd.grad(ref, [z1, z2]), strict=True):
        torch.testing.assert_close(a, b)


def test_all_valid_mask_equals_no_mask():
    z1, z2 = torch.randn(5, 20, 8), torch.randn(5, 20, 8)
    torch.testing.assert_close(
        hierarchical_contrastive_loss(z1, z2, valid=torch.ones(5, 20, dtype=torch.bool)), hierarchical_contrastive_loss(z1, z2)
    )


def test_objective_reads_nan_as_missing_and_drops_whole_missing_series():
    z1, z2 = torch.randn(5, 16, 8), torch.randn(5, 16, 8)
    objective = HierarchicalContrastive()
    nan1, nan2 = z1.clone(), z2.clone()
    nan1[4], nan2[4] = float("nan"), float("nan")
    torch.testing.assert_close(objective([nan1, nan2]), objective([z1[:4], z2[:4]]))


def test_training_step_contrasts_the_crop_overlap():
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(in_channels=2, out_dim=16, hidden=8, depth=3)
    views = ContextualCrops()(torch.randn(6, 40, 2))
    loss = HierarchicalContrastive().training_step(views, encoder)
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert all(p.grad is not None for p in encoder.parameters())


def test_rejects_pooled_embeddings():
    from anyclr.core.errors import AnyclrError

    with pytest.raises(AnyclrError, match="per-timestamp"):
        HierarchicalContrastive()([torch.randn(4, 8), torch.randn(4, 8)])


@pytest.mark.parametrize("padding_limit", [1.0, 0.0])  # one padded batch, or the views one by one
def test_joint_encoding_equals_separate_encoding(padding_limit, monkeypatch):
    from anyclr.plugins.timeseries.objectives import hierarchical

    monkeypatch.setattr(hierarchical, "PADDING_LIMIT", padding_limit)
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(in_channels=1, out_dim=16, hidden=8, depth=4).eval()
    views = ContextualCrops()(torch.randn(5, 60, 1))
    assert views[0].x.shape[1] != views[1].x.shape[1]
    joint = HierarchicalContrastive(joint=True).training_step(views, encoder)
    grads = torch.autograd.grad(joint, list(encoder.parameters()))
    separate = HierarchicalContrastive(joint=False).training_step(views, encoder)
    torch.testing.assert_close(joint, separate)
    for g, want in zip(grads, torch.autograd.grad(separate, list(encoder.parameters())), strict=True):
        torch.testing.assert_close(g, want)


def test_swa_keeps_the_mean_of_all_weights_and_loads_it_at_the_end():
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(in_channels=1, out_dim=8, hidden=4, depth=2)
    reference = torch.optim.swa_utils.AveragedModel(encoder)  # TS2Vec's averaging
    reference.update_parameters(encoder)
    objective = HierarchicalContrastive(average="swa")
    objective.bind(encoder)
    snapshots = [[p.detach().clone() for p in encoder.parameters()]]
    for step in range(1, 4):
        with torch.no_grad():
            for p in encoder.parameters():
                p.add_(torch.randn_like(p))
        snapshots.append([p.detach().clone() for p in encoder.parameters()])
        reference.update_parameters(encoder)
        objective.after_step(encoder, step / 3)
    for p, ref, *history in zip(encoder.parameters(), reference.module.parameters(), *snapshots, strict=True):
        torch.testing.assert_close(p, torch.stack(history).mean(0))
        torch.testing.assert_close(p, ref)
    assert "swa_weights" in objective.state_dict()


def test_no_average_leaves_the_weights():
    encoder = DilatedConvEncoder(in_channels=1, out_dim=8, hidden=4, depth=2)
    before = [p.detach().clone() for p in encoder.parameters()]
    objective = HierarchicalContrastive(average="none")
    objective.bind(encoder)
    objective.after_step(encoder, 1.0)
    assert all(torch.equal(a, b) for a, b in zip(before, encoder.parameters(), strict=True))
    assert "swa_weights" not in objective.state_dict()


def test_swa_from_half_way_averages_the_second_half_only():
    encoder = DilatedConvEncoder(in_channels=1, out_dim=8, hidden=4, depth=2)
    objective = HierarchicalContrastive(average="swa", average_from=0.5)
    objective.bind(encoder)
    for step in range(1, 5):
        with torch.no_grad():
            for p in encoder.parameters():
                p.fill_(float(step))
        objective.after_step(encoder, step / 4)
    assert all(bool((p.detach() == 3.5).all()) for p in encoder.parameters())  # the mean of steps 3 and 4
