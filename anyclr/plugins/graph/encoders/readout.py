"""Graph readouts: pool node embeddings into one vector per graph."""

from __future__ import annotations

from torch import nn
from torch_geometric.nn import aggr

from anyclr.core.errors import unknown_name

READOUTS = ("sum", "mean", "max", "attention")


def make_readout(name: str, dim: int) -> nn.Module:
    """Return a torch-geometric aggregation called as ``readout(x, index, dim_size=G)``."""
    if name == "sum":
        return aggr.SumAggregation()
    if name == "mean":
        return aggr.MeanAggregation()
    if name == "max":
        return aggr.MaxAggregation()
    if name == "attention":  # a learned gate per node, softmax within each graph (Li et al. 2016)
        return aggr.AttentionalAggregation(gate_nn=nn.Linear(dim, 1))
    raise unknown_name("encoder.pooling", name, READOUTS)
