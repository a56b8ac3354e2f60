"""Graph encoders: output shapes at graph and node level, readouts, edge features."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch, Data

from anyclr.core.encoder import Encoder
from anyclr.core.errors import AnyclrError
from anyclr.plugins.graph.batch import NodeBatch
from anyclr.plugins.graph.encoders.gat import gat
from anyclr.plugins.graph.encoders.gcn import gcn
from anyclr.plugins.graph.encoders.gin import gin
from anyclr.plugins.graph.encoders.sage import graphsage
from anyclr.plugins.graph.views.diffusion import Diffusion


def graph(n: int, f: int = 5, seed: int = 0) -> Data:
    g = torch.Generator().manual_seed(seed)
    src = torch.arange(n)
    dst = (src + 1) % n
    ei = torch.cat([torch.stack([src, dst]), torch.stack([dst, src])], dim=1)
    return Data(x=torch.randn(n, f, generator=g), edge_index=ei, edge_attr=torch.eye(3)[torch.arange(2 * n) % 3])


BATCH = Batch.from_data_list([graph(n, seed=n) for n in (4, 6, 9)])


@pytest.mark.parametrize(
    "factory, kwargs, out_dim",
    [
        (gin, {"hidden": 8, "layers": 3}, 24),
        (gin, {"hidden": 8, "layers": 3, "jk": "last"}, 8),
        (gcn, {"hidden": 16, "layers": 2}, 16),
        (gat, {"hidden": 16, "layers": 2, "heads": 4}, 16),
        (graphsage, {"hidden": 12, "layers": 2}, 12),
    ],
)
def test_graph_and_node_level_shapes(factory, kwargs, out_dim):
    torch.manual_seed(0)
    net = factory(in_channels=5, **kwargs)
    assert net.out_dim == out_dim
    assert net(BATCH).shape == (3, out_dim)
    nodes, graphs, batch = net.encode(BATCH)
    assert nodes.shape == (19, out_dim) and graphs.shape == (3, out_dim) and torch.equal(batch, BATCH.batch)
    one = graph(7)
    picked = net(NodeBatch(one, torch.tensor([6, 0, 2])))
    assert picked.shape == (3, out_dim)
    net.eval()
    assert torch.allclose(net(NodeBatch(one, torch.tensor([6, 0, 2]))), net.nodes(one)[[6, 0, 2]])


@pytest.mark.parametrize("pooling", ["sum", "mean", "max", "attention"])
def test_readouts(pooling):
    torch.manual_seed(0)
    net = gin(in_channels=5, hidden=8, layers=2, pooling=pooling).eval()
    out = net(BATCH)
    nodes = net.nodes(BATCH)
    assert out.shape == (3, 16)
    first = nodes[BATCH.batch == 0]
    if pooling == "sum":
        assert torch.allclose(out[0], first.sum(0), atol=1e-5)
    elif pooling == "mean":
        assert torch.allclose(out[0], first.mean(0), atol=1e-5)
    elif pooling == "max":
        assert torch.allclose(out[0], first.max(0).values, atol=1e-5)


def test_graph_embedding_does_not_depend_on_other_graphs_in_eval_mode():
    net = gin(in_channels=5, hidden=8, layers=2).eval()
    alone = net(Batch.from_data_list([graph(6, seed=6)]))
    assert torch.allclose(net(BATCH)[1], alone[0], atol=1e-5)


def test_gine_uses_edge_features_and_survives_views_without_them():
    torch.manual_seed(0)
    net = gin(in_channels=5, hidden=8, layers=2, edge_features=True, edge_dim=3).eval()
    out = net(BATCH)
    changed = BATCH.clone()
    changed.edge_attr = torch.roll(changed.edge_attr, 1, dims=1)
    assert not torch.allclose(out, net(changed))
    assert net(Diffusion()(BATCH)).shape == (3, 16)  # the diffusion view drops edge_attr: zeros are used


def test_gcn_uses_edge_weights_of_the_diffusion_view():
    torch.manual_seed(0)
    net = gcn(in_channels=5, hidden=8).eval()
    view = Diffusion()(BATCH)
    other = view.clone()
    other.edge_weight = torch.rand_like(view.edge_weight)
    assert not torch.allclose(net(view), net(other))


def test_encoder_represent_gives_one_vector_per_graph():
    enc = Encoder(gin(in_channels=5, hidden=8, layers=2))
    assert enc.represent(BATCH).shape == (3, 16)


def test_bad_encoder_settings_are_clear():
    with pytest.raises(AnyclrError, match="multiple of encoder.heads"):
        gat(in_channels=5, hidden=10, heads=4)
    with pytest.raises(AnyclrError, match="encoder.pooling"):
        gin(in_channels=5, pooling="summ")
    with pytest.raises(AnyclrError, match="node features"):
        gin(in_channels=0)
