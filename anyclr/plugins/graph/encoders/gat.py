"""GAT (Veličković et al. 2018): attention over neighbours, several heads concatenated."""

from __future__ import annotations

from torch import nn
from torch_geometric.nn import GATConv

from anyclr.core.errors import AnyclrError
from anyclr.plugins.graph.encoders.gnn import GNN


def gat(
    in_channels: int,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    pooling: str = "mean",
    jk: str = "last",
    norm: str = "none",
    dropout: float = 0.0,
    act: str = "elu",
) -> GNN:
    """GAT: ``heads`` attention heads of width hidden/heads, concatenated (hidden must divide by heads)."""
    if heads < 1 or hidden % heads:
        raise AnyclrError(f"encoder.hidden ({hidden}) must be a multiple of encoder.heads ({heads}).")

    def make_conv(d_in: int, d_out: int, layer: int) -> nn.Module:
        return GATConv(d_in, d_out // heads, heads=heads)

    return GNN(make_conv, in_channels, hidden, layers, pooling, jk, norm, dropout, act)
