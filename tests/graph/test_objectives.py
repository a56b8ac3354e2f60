"""GraphCL, GRACE and InfoGraph losses against direct, loop-by-loop re-statements of the papers' formulas."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch_geometric.data import Batch, Data

from anyclr.core.encoder import Encoder
from anyclr.core.errors import AnyclrError
from anyclr.plugins.graph.encoders.gin import gin
from anyclr.plugins.graph.objectives.grace import GRACE
from anyclr.plugins.graph.objectives.graphcl import GraphCL
from anyclr.plugins.graph.objectives.infograph import InfoGraph, local_global_jsd


def cos(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a @ b) / (a.norm() * b.norm())


def graphcl_reference(z1: torch.Tensor, z2: torch.Tensor, tau: float) -> torch.Tensor:
    """GraphCL eq. 3: -log exp(s(z1_n, z2_n)/τ) / Σ_{n'≠n} exp(s(z1_n, z2_n')/τ), mean over n."""
    n = z1.shape[0]
    total = 0.0
    for i in range(n):
        pos = torch.exp(cos(z1[i], z2[i]) / tau)
        neg = sum(torch.exp(cos(z1[i], z2[j]) / tau) for j in range(n) if j != i)
        total = total - torch.log(pos / neg)
    return total / n


def grace_reference(u: torch.Tensor, v: torch.Tensor, tau: float) -> torch.Tensor:
    """GRACE eq. 1-2: inter-view and intra-view negatives, averaged over both directions."""
    n = u.shape[0]

    def ell(a, b, i):
        pos = torch.exp(cos(a[i], b[i]) / tau)
        inter = sum(torch.exp(cos(a[i], b[k]) / tau) for k in range(n) if k != i)
        intra = sum(torch.exp(cos(a[i], a[k]) / tau) for k in range(n) if k != i)
        return -torch.log(pos / (pos + inter + intra))

    return sum(ell(u, v, i) + ell(v, u, i) for i in range(n)) / (2 * n)


def jsd_reference(local: torch.Tensor, glob: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
    """InfoGraph's JSD: E_neg[sp(-s) + s - log 2] - E_pos[log 2 - sp(-s)] over all (node, graph) pairs."""
    pos, neg = [], []
    for v in range(local.shape[0]):
        for g in range(glob.shape[0]):
            s = local[v] @ glob[g]
            if int(batch[v]) == g:
                pos.append(math.log(2.0) - F.softplus(-s))
            else:
                neg.append(F.softplus(-s) + s - math.log(2.0))
    return torch.stack(neg).mean() - torch.stack(pos).mean()


def views(n: int = 6, d: int = 4, seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(2)]


def test_graphcl_matches_the_paper_one_direction_and_symmetric():
    z1, z2 = views()
    one_way = GraphCL(temperature=0.2, symmetric=False)([z1, z2])
    assert torch.allclose(one_way.double(), graphcl_reference(z1, z2, 0.2), atol=1e-5)
    both = GraphCL(temperature=0.5)([z1, z2])
    expected = (graphcl_reference(z1, z2, 0.5) + graphcl_reference(z2, z1, 0.5)) / 2
    assert torch.allclose(both.double(), expected, atol=1e-5)
    g_fast = torch.autograd.grad(both, [z1, z2])
    g_ref = torch.autograd.grad(expected, [z1, z2])
    assert all(torch.allclose(a.double(), b, atol=1e-5) for a, b in zip(g_fast, g_ref, strict=True))


def test_graphcl_with_three_views_averages_ordered_pairs():
    g = torch.Generator().manual_seed(1)
    z = [torch.randn(5, 3, generator=g) for _ in range(3)]
    expected = sum(graphcl_reference(z[a], z[b], 0.2) for a in range(3) for b in range(3) if a != b) / 6
    assert torch.allclose(GraphCL()(z), expected, atol=1e-5)


def test_grace_matches_the_paper_with_gradients():
    u, v = views(seed=2)
    fast = GRACE(temperature=0.4)([u, v])
    ref = grace_reference(u, v, 0.4)
    assert torch.allclose(fast.double(), ref, atol=1e-5)
    g_fast = torch.autograd.grad(fast, [u, v])
    g_ref = torch.autograd.grad(ref, [u, v])
    assert all(torch.allclose(a.double(), b, atol=1e-5) for a, b in zip(g_fast, g_ref, strict=True))


def test_infograph_jsd_matches_the_definition():
    g = torch.Generator().manual_seed(3)
    local, glob = torch.randn(7, 4, generator=g), torch.randn(3, 4, generator=g)
    batch = torch.tensor([0, 0, 1, 1, 1, 2, 2])
    assert torch.allclose(local_global_jsd(local, glob, batch), jsd_reference(local, glob, batch), atol=1e-5)


def small_batch() -> Batch:
    graphs = []
    for n in (4, 5, 6):
        src = torch.arange(n)
        ei = torch.cat([torch.stack([src, (src + 1) % n]), torch.stack([(src + 1) % n, src])], dim=1)
        graphs.append(Data(x=torch.randn(n, 3), edge_index=ei))
    return Batch.from_data_list(graphs)


def test_infograph_training_step_trains_encoder_and_discriminators():
    torch.manual_seed(0)
    enc = Encoder(gin(in_channels=3, hidden=8, layers=2))
    obj = InfoGraph(feature_dim=enc.out_dim)
    b = small_batch()
    loss = obj.training_step([b], enc)
    loss.backward()
    assert torch.isfinite(loss)
    assert enc.backbone.convs[0].nn[0].weight.grad is not None and obj.local_d.shortcut.weight.grad is not None
    nodes, graphs, batch = enc.backbone.encode(b)
    assert torch.allclose(loss, local_global_jsd(obj.local_d(nodes), obj.global_d(graphs), batch), atol=1e-5)


def test_infograph_plus_contrast_needs_two_views():
    enc = Encoder(gin(in_channels=3, hidden=8, layers=2))
    obj = InfoGraph(feature_dim=enc.out_dim, contrast=1.0)
    b = small_batch()
    assert torch.isfinite(obj.training_step([b, b], enc))
    with pytest.raises(AnyclrError, match="at least 2 views"):
        obj.training_step([b], enc)


def test_batches_of_one_are_refused():
    with pytest.raises(AnyclrError, match="at least 2 graphs"):
        GraphCL()([torch.randn(1, 3), torch.randn(1, 3)])
    with pytest.raises(AnyclrError, match="at least 2 nodes"):
        GRACE()([torch.randn(1, 3), torch.randn(1, 3)])


def test_infograph_refuses_node_level_batches():
    from anyclr.plugins.graph.batch import NodeBatch

    enc = Encoder(gin(in_channels=3, hidden=8, layers=2))
    g = small_batch()
    with pytest.raises(AnyclrError, match="objective.name=grace"):
        InfoGraph(feature_dim=enc.out_dim).training_step([NodeBatch(g, torch.arange(3))], enc)


def test_simgrace_contrasts_with_a_perturbed_copy_and_leaves_the_encoder_alone():
    from anyclr.plugins.graph.objectives.simgrace import SimGRACE

    torch.manual_seed(0)
    enc = Encoder(gin(in_channels=3, hidden=8, layers=2))
    b = small_batch()
    state = {k: v.clone() for k, v in enc.state_dict().items()}
    obj = SimGRACE(eta=1.0, temperature=0.2, seed=3)
    loss = obj.training_step([b], enc)
    # The perturbed branch used fresh weights and left the real ones (and BN statistics) as they were.
    after = enc.state_dict()
    for k, v in state.items():
        if "num_batches_tracked" in k or "running" in k:
            continue
        assert torch.equal(after[k], v)
    # Same draw, written out: step 0 of seed 3; each weight tensor plus eta * std * N(0, 1), no gradient on that side.
    gen = torch.Generator().manual_seed(3 * 1_000_003)
    z = enc(b)
    with torch.no_grad():
        params = {n: p + p.std() * torch.randn(p.shape, generator=gen) if p.numel() > 1 else p for n, p in enc.backbone.named_parameters()}
        buffers = {n: t.clone() for n, t in enc.backbone.named_buffers()}
        z2 = enc.head(torch.func.functional_call(enc.backbone, {**params, **buffers}, (b,)))
    assert torch.allclose(loss, graphcl_reference(z2, z, 0.2), atol=1e-5)
    loss.backward()
    assert enc.backbone.convs[0].nn[0].weight.grad is not None


def test_simgrace_noise_follows_its_seed_and_step_not_the_global_rng():
    from anyclr.plugins.graph.objectives.simgrace import SimGRACE

    torch.manual_seed(0)
    enc = Encoder(gin(in_channels=3, hidden=8, layers=2, norm="none"))
    b = small_batch()
    obj = SimGRACE(seed=1)
    torch.manual_seed(5)
    first = obj.training_step([b], enc).detach()
    torch.manual_seed(6)  # another rank's global RNG: the perturbation stays the same
    torch.testing.assert_close(obj.training_step([b], enc).detach(), first)
    obj.after_step(enc, 0.5)
    assert not torch.allclose(obj.training_step([b], enc).detach(), first)  # the next step draws new noise
    resumed = SimGRACE(seed=1)
    resumed.load_state_dict(obj.state_dict())  # the step count is checkpointed
    torch.testing.assert_close(resumed.training_step([b], enc), obj.training_step([b], enc))


def test_simgrace_loss_is_graphcl_from_the_perturbed_side_with_gradients():
    from anyclr.plugins.graph.objectives.simgrace import SimGRACE

    perturbed, online = views(seed=4)
    loss = SimGRACE(temperature=0.3)([perturbed, online])
    ref = graphcl_reference(perturbed, online, 0.3)
    torch.testing.assert_close(loss.double(), ref)
    (g_online,) = torch.autograd.grad(loss, [online])
    torch.testing.assert_close(g_online, torch.autograd.grad(ref, [online])[0])
    assert torch.autograd.grad(loss, [perturbed], allow_unused=True)[0] is None  # the perturbed side is a stop-gradient


def test_grace_with_three_views_averages_view_pairs():
    g = torch.Generator().manual_seed(5)
    z = [torch.randn(5, 3, generator=g, dtype=torch.float64) for _ in range(3)]
    expected = sum(grace_reference(z[a], z[c], 0.5) for a in range(3) for c in range(a + 1, 3)) / 3
    torch.testing.assert_close(GRACE()(z), expected)


class CountingEncoder(torch.nn.Module):
    """A graph encoder with BatchNorm that counts its forward passes."""

    def __init__(self) -> None:
        super().__init__()
        self.net = Encoder(gin(in_channels=3, hidden=8, layers=2, norm="batch"))
        self.calls = 0

    def forward(self, batch: Batch) -> torch.Tensor:
        self.calls += 1
        return self.net(batch)


def test_graphcl_honours_view_batches():
    from anyclr.core.objective import view_batches

    torch.manual_seed(0)
    encoder = CountingEncoder().train()
    two = [small_batch(), small_batch()]
    joint = GraphCL().training_step(two, encoder)
    assert encoder.calls == 1  # both views in one forward pass
    with view_batches("separate"):
        separate = GraphCL().training_step(two, encoder)
    assert encoder.calls == 3  # one pass per view: BatchNorm statistics per view
    assert not torch.allclose(joint, separate)
    per_view = GraphCL()([encoder(two[0]), encoder(two[1])])
    torch.testing.assert_close(separate, per_view)
    encoder.eval()  # running statistics: the two ways agree
    with view_batches("separate"):
        separate = GraphCL().training_step(two, encoder)
    torch.testing.assert_close(separate, GraphCL().training_step(two, encoder))
