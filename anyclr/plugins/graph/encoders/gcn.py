"""GCN (Kipf & Welling 2017): the encoder of GRACE; uses the diffusion view's edge weights."""

from __future__ import annotations

from torch import nn
from torch_geometric.nn import GCNConv

from anyclr.plugins.graph.encoders.gnn import GNN


def gcn(
    in_channels: int,
    hidden: int = 128,
    layers: int = 2,
    pooling: str = "mean",
    jk: str = "last",
    norm: str = "none",
    dropout: float = 0.0,
    act: str = "relu",
) -> GNN:
    """GCN: symmetric-normalised neighbour averaging with self loops; defaults follow GRACE (2 layers, no norm)."""

    def make_conv(d_in: int, d_out: int, layer: int) -> nn.Module:
        return GCNConv(d_in, d_out)

    return GNN(make_conv, in_channels, hidden, layers, pooling, jk, norm, dropout, act, conv_args=("edge_weight",))
