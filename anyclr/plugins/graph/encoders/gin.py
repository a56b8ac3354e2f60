"""GIN (Xu et al. 2019): the encoder of GraphCL and InfoGraph."""

from __future__ import annotations

from torch import nn
from torch_geometric.nn import GINConv, GINEConv

from anyclr.plugins.graph.encoders.gnn import GNN


def gin(
    in_channels: int,
    hidden: int = 32,
    layers: int = 3,
    pooling: str = "sum",
    jk: str = "cat",
    norm: str = "batch",
    dropout: float = 0.0,
    train_eps: bool = False,
    edge_features: bool = False,
    edge_dim: int = 0,
) -> GNN:
    """GIN: each layer an MLP(Linear-ReLU-Linear) on (1+eps)·self + sum of neighbours; out_dim = hidden × layers with jk=cat.

    ``edge_features`` uses GINE layers that add the (dataset's) edge features to each message.
    """

    def make_conv(d_in: int, d_out: int, layer: int) -> nn.Module:
        mlp = nn.Sequential(nn.Linear(d_in, d_out), nn.ReLU(), nn.Linear(d_out, d_out))
        if edge_features and edge_dim > 0:
            return GINEConv(mlp, train_eps=train_eps, edge_dim=edge_dim)
        return GINConv(mlp, train_eps=train_eps)

    use_edges = edge_features and edge_dim > 0
    return GNN(
        make_conv, in_channels, hidden, layers, pooling, jk, norm, dropout,
        conv_args=("edge_attr",) if use_edges else (), edge_dim=edge_dim,
    )
