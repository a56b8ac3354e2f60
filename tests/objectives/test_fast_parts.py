"""The hand-written fast parts (fused backward passes, Sinkhorn in scaling form, sync-free queue) equal plain autograd."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from anyclr.losses.cosine import cosine_to_targets
from anyclr.losses.infonce import key_queue_nce
from anyclr.losses.queue import Queue
from anyclr.losses.sinkhorn import sinkhorn
from anyclr.losses.soft_cross_entropy import linear_soft_cross_entropy


def leaves(*shapes: tuple[int, ...], seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True) for s in shapes]


def same_values_and_grads(fast, slow, inputs: list[torch.Tensor]) -> None:
    """fast(*inputs) == slow(*inputs), and so are the gradients of a weighted sum of their outputs."""
    a = [t.detach().clone().requires_grad_(True) for t in inputs]
    b = [t.detach().clone().requires_grad_(True) for t in inputs]
    got, want = fast(*a), slow(*b)
    torch.testing.assert_close(got, want)
    weights = torch.linspace(0.5, 1.5, got.numel(), dtype=got.dtype).reshape(got.shape)
    for ga, gb in zip(torch.autograd.grad((got * weights).sum(), a), torch.autograd.grad((want * weights).sum(), b), strict=True):
        torch.testing.assert_close(ga, gb)


@pytest.mark.parametrize("with_extra", [False, True])
def test_key_queue_nce_matches_autograd(with_extra):
    q, k, negatives, extra = leaves((5, 4), (5, 4), (7, 4), (5, 3))

    def slow(q, k, negatives, extra=None):
        parts = [(q * k).sum(1, keepdim=True), q @ negatives.T] + ([extra] if with_extra else [])
        logits = torch.cat(parts, dim=1) / 0.2
        return torch.logsumexp(logits, dim=1) - logits[:, 0]

    def fast(q, k, negatives, extra=None):
        return key_queue_nce(q, k, negatives, 0.2, extra if with_extra else None)

    same_values_and_grads(fast, slow, [q, k, negatives, extra] if with_extra else [q, k, negatives])


def test_key_queue_nce_runs_in_float32_under_autocast():
    q, k, negatives = (t.detach().float() for t in leaves((5, 4), (5, 4), (7, 4)))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = key_queue_nce(q.bfloat16(), k.bfloat16(), negatives, 0.2)
    assert low.dtype == torch.float32
    torch.testing.assert_close(low, key_queue_nce(q.bfloat16().float(), k.bfloat16().float(), negatives, 0.2))


@pytest.mark.parametrize("given_logits", [False, True])
def test_linear_soft_cross_entropy_matches_autograd(given_logits):
    x, weight = leaves((6, 4), (5, 4))
    targets = torch.rand(6, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1))  # rows need not sum to 1

    def slow(x, weight):
        return -(targets * F.log_softmax(x @ weight.T, dim=1)).sum()

    def fast(x, weight):
        logits = (x @ weight.T).detach() if given_logits else None
        return linear_soft_cross_entropy(x, weight, targets, logits)

    same_values_and_grads(fast, slow, [x, weight])


def test_sinkhorn_rows_and_out_match_the_whole_result():
    scores = torch.randn(9, 4, dtype=torch.float64).tanh()
    whole = sinkhorn(scores, 0.05, 3)
    torch.testing.assert_close(sinkhorn(scores, 0.05, 3, rows=slice(2, 6)), whole[2:6])
    out = torch.empty(4, 4, dtype=torch.float64)
    assert sinkhorn(scores, 0.05, 3, rows=slice(2, 6), out=out).data_ptr() == out.data_ptr()
    torch.testing.assert_close(out, whole[2:6])
    out = torch.empty(9, 4, dtype=torch.float64)
    sinkhorn(scores, 0.05, 3, out=out)
    torch.testing.assert_close(out, whole)
    low = sinkhorn(scores.bfloat16(), 0.05, 3)
    assert low.dtype == torch.float32 and torch.isfinite(low).all()


@pytest.mark.parametrize("n_views", [2, 3])
def test_cosine_to_targets_matches_cosine_similarity(n_views):
    p = leaves(*[(6, 5)] * n_views)
    t = [x.detach() for x in leaves(*[(6, 5)] * n_views, seed=1)]

    def slow(*p):
        return sum(F.cosine_similarity(p[a], t[c], dim=1) for a in range(n_views) for c in range(n_views) if a != c)

    same_values_and_grads(lambda *p: cosine_to_targets(list(p), t), slow, p)


def test_queue_push_wraps_around_and_reloads():
    queue = Queue(5, 2)
    assert queue.get().shape == (0, 2)
    rows = torch.arange(14.0).reshape(7, 2)
    queue.push(rows[:3])
    torch.testing.assert_close(queue.get(), rows[:3])
    queue.push(rows[3:7])  # wraps: rows 5, 6 overwrite rows 0, 1
    torch.testing.assert_close(queue.items, torch.cat([rows[5:7], rows[2:5]]))
    assert int(queue.ptr) == 2 and int(queue.filled) == 5 and queue.get().shape == (5, 2)
    queue.push(torch.arange(20.0, 32.0).reshape(6, 2))  # more rows than room: the last 5 are kept
    torch.testing.assert_close(queue.items, torch.tensor([[28.0, 29.0], [30.0, 31.0], [22.0, 23.0], [24.0, 25.0], [26.0, 27.0]]))
    assert int(queue.ptr) == 2
    fresh = torch.nn.ModuleDict({"queue": Queue(5, 2)})  # loaded as a submodule, as objectives hold it
    assert fresh["queue"].get().shape[0] == 0
    fresh.load_state_dict({"queue." + k: v for k, v in queue.state_dict().items()})
    torch.testing.assert_close(fresh["queue"].get(), queue.items)


@pytest.mark.parametrize("masked", [False, True])
def test_grouped_multi_positive_nce_matches_a_loop_over_groups(masked):
    from anyclr.losses import multi_positive_nce, pair_columns

    z, c = leaves((3, 6, 4), (3, 6, 4))  # 3 groups; rows v*3 + i: view v of sample i
    self_index, positives = pair_columns(2, 3, 3)
    valid = torch.ones(3, 6, dtype=torch.bool)
    if masked:
        valid[0, 1] = valid[0, 4] = False  # sample 1 of group 0 missing from both views
        valid[2, 2] = valid[2, 5] = False

    def slow(z, c):
        rows = []
        for g in range(3):
            logits = (z[g] @ c[g].T) / 0.5
            logits = logits.masked_fill(~valid[g][None, :], float("-inf"))
            logits[torch.arange(6), self_index] = float("-inf")
            rows.append(torch.logsumexp(logits, 1) - logits.gather(1, positives)[:, 0])
        return torch.stack(rows)

    def fast(z, c):
        out = multi_positive_nce(z, c, self_index, positives, 0.5, valid if masked else None)
        keep = valid if masked else torch.ones_like(valid)
        return torch.where(keep, out, torch.zeros_like(out))

    def slow_kept(z, c):
        out = slow(z, c)
        return torch.where(valid, out, torch.zeros_like(out))

    same_values_and_grads(fast, slow_kept, [z, c])
    if masked:  # an anchor whose positive is masked out is marked, not silently finite
        assert torch.isinf(multi_positive_nce(z, c, self_index, positives, 0.5, valid)[0, 1])
