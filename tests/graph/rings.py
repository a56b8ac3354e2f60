"""Small graph batches for the view tests: rings with random features and a one-hot edge attribute."""

from __future__ import annotations

import torch
from torch_geometric.data import Batch, Data

SIZES = (5, 10, 20, 8, 12, 30)


def ring(n: int, features: int = 4, seed: int = 0) -> Data:
    """A cycle of ``n`` nodes (undirected) with random features and a one-hot edge attribute."""
    src = torch.arange(n)
    dst = (src + 1) % n
    edge_index = torch.cat([torch.stack([src, dst]), torch.stack([dst, src])], dim=1)
    g = torch.Generator().manual_seed(seed)
    return Data(x=torch.randn(n, features, generator=g), edge_index=edge_index, edge_attr=torch.eye(2)[torch.arange(2 * n) % 2])


def batch_of(sizes=SIZES) -> Batch:
    """A Batch of rings of the given sizes, each with its own features."""
    return Batch.from_data_list([ring(n, seed=i) for i, n in enumerate(sizes)])


def assert_valid(b: Batch, num_graphs: int) -> None:
    """Edges in range and within one graph; every graph keeps a node; node-level attributes agree."""
    assert b.num_graphs == num_graphs
    n = b.x.shape[0]
    assert b.batch.shape == (n,)
    assert torch.all(torch.bincount(b.batch, minlength=num_graphs) >= 1)
    if b.edge_index.numel():
        assert int(b.edge_index.min()) >= 0 and int(b.edge_index.max()) < n
        assert torch.equal(b.batch[b.edge_index[0]], b.batch[b.edge_index[1]])
    for key in ("edge_attr", "edge_weight"):
        if key in b:
            assert b[key].shape[0] == b.edge_index.shape[1]
    assert torch.equal(b.ptr, torch.cat([torch.zeros(1, dtype=torch.long), torch.bincount(b.batch, minlength=num_graphs).cumsum(0)]))


def node_counts(b: Batch, num_graphs: int) -> torch.Tensor:
    """Return the number of nodes of every graph of ``b``."""
    return torch.bincount(b.batch, minlength=num_graphs)


def edge_counts(b: Batch, num_graphs: int) -> torch.Tensor:
    """Return the number of (directed) edges of every graph of ``b``."""
    return torch.bincount(b.batch[b.edge_index[0]], minlength=num_graphs)


def graphs(b: Batch) -> list[Data]:
    """Split a Batch (also one changed by a view) into its graphs: node rows, and the edges among them renumbered."""
    counts = node_counts(b, b.num_graphs)
    ptr = torch.cat([counts.new_zeros(1), counts.cumsum(0)]).tolist()
    out = []
    for gi in range(b.num_graphs):
        mine = b.batch[b.edge_index[0]] == gi
        g = Data(x=b.x[ptr[gi] : ptr[gi + 1]], edge_index=b.edge_index[:, mine] - ptr[gi])
        for key in ("edge_attr", "edge_weight"):
            if key in b:
                g[key] = b[key][mine]
        out.append(g)
    return out
