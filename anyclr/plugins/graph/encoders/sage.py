"""GraphSAGE (Hamilton et al. 2017): own features plus the mean of the neighbours'."""

from __future__ import annotations

from torch import nn
from torch_geometric.nn import SAGEConv

from anyclr.plugins.graph.encoders.gnn import GNN


def graphsage(
    in_channels: int,
    hidden: int = 64,
    layers: int = 2,
    aggr: str = "mean",
    pooling: str = "mean",
    jk: str = "last",
    norm: str = "none",
    dropout: float = 0.0,
    act: str = "relu",
) -> GNN:
    """GraphSAGE: a Linear of each node's features plus a Linear of its neighbours' ``aggr`` (mean, max, sum)."""

    def make_conv(d_in: int, d_out: int, layer: int) -> nn.Module:
        return SAGEConv(d_in, d_out, aggr=aggr)

    return GNN(make_conv, in_channels, hidden, layers, pooling, jk, norm, dropout, act)
