"""A stack of message-passing layers with per-layer activation and norm, jumping-knowledge concat and a readout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch_geometric.data import Data

from anyclr.core.errors import AnyclrError, unknown_name
from anyclr.plugins.graph.batch import NodeBatch, count_graphs, graph_index
from anyclr.plugins.graph.encoders.readout import make_readout

JK = ("cat", "last")
NORMS = ("batch", "layer", "none")


class GNN(nn.Module):
    """Message-passing backbone for graph- and node-level representations.

    Args:
        make_conv: ``(in_dim, out_dim, layer) -> conv`` building layer ``layer``'s message-passing module.
        in_channels: input node-feature width (from the dataset).
        hidden: width of every layer (default 32).
        layers: number of layers (default 3).
        pooling: graph readout: ``sum`` (GIN, GraphCL), ``mean``, ``max`` or ``attention``.
        jk: ``cat`` concatenates every layer's node embeddings (GIN, InfoGraph), ``last`` keeps the last.
        norm: ``batch``, ``layer`` or ``none`` after each layer's activation.
        dropout: dropout after each layer (default 0).
        act: ``relu``, ``prelu`` or ``elu``.
        conv_args: which graph arguments the conv takes besides ``(x, edge_index)``:
            ``edge_weight`` and/or ``edge_attr`` (missing ones are passed as None / zeros).
        edge_dim: width of ``edge_attr`` when ``edge_attr`` is passed.

    ``forward`` gives ``[G, out_dim]`` graph embeddings for a ``Batch`` (one per graph) and
    ``[B, out_dim]`` node embeddings for a :class:`NodeBatch`; :meth:`encode` gives both levels.
    """

    def __init__(
        self,
        make_conv: Callable[[int, int, int], nn.Module],
        in_channels: int,
        hidden: int = 32,
        layers: int = 3,
        pooling: str = "sum",
        jk: str = "cat",
        norm: str = "batch",
        dropout: float = 0.0,
        act: str = "relu",
        conv_args: tuple[str, ...] = (),
        edge_dim: int = 0,
    ) -> None:
        super().__init__()
        if in_channels < 1:
            raise AnyclrError(f"The graph encoder needs node features, but the dataset has {in_channels}.")
        if layers < 1 or hidden < 1:
            raise AnyclrError(f"encoder.layers and encoder.hidden must be positive, got {layers} and {hidden}.")
        if jk not in JK:
            raise unknown_name("encoder.jk", jk, JK)
        if norm not in NORMS:
            raise unknown_name("encoder.norm", norm, NORMS)
        acts = {"relu": nn.ReLU, "prelu": nn.PReLU, "elu": nn.ELU}
        if act not in acts:
            raise unknown_name("encoder.act", act, acts)
        self.convs = nn.ModuleList(make_conv(in_channels if i == 0 else hidden, hidden, i) for i in range(layers))
        self.acts = nn.ModuleList(acts[act]() for _ in range(layers))
        self.norms = nn.ModuleList(
            nn.BatchNorm1d(hidden) if norm == "batch" else nn.LayerNorm(hidden) if norm == "layer" else nn.Identity()
            for _ in range(layers)
        )
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.jk, self.conv_args, self.edge_dim = jk, tuple(conv_args), int(edge_dim)
        self.out_dim = hidden * layers if jk == "cat" else hidden
        self.readout = make_readout(pooling, self.out_dim)  # not "pool": the core would call that on [B, D]
        self.pooling = pooling

    def nodes(self, g: Data) -> torch.Tensor:
        """Return every node's embedding ``[N, out_dim]``."""
        h = g.x if torch.is_floating_point(g.x) else g.x.float()
        extra: dict[str, Any] = {}
        if "edge_weight" in self.conv_args:
            extra["edge_weight"] = g.edge_weight if "edge_weight" in g else None
        if "edge_attr" in self.conv_args:
            attr = g.edge_attr if "edge_attr" in g else None
            if attr is None:  # e.g. after the diffusion view: no bond types, so zeros
                attr = h.new_zeros(g.edge_index.shape[1], self.edge_dim)
            extra["edge_attr"] = attr.to(h.dtype)
        outs = []
        for conv, act, norm in zip(self.convs, self.acts, self.norms, strict=True):
            h = self.dropout(norm(act(conv(h, g.edge_index, **extra))))
            outs.append(h)
        return torch.cat(outs, dim=-1) if self.jk == "cat" else outs[-1]

    def encode(self, inputs: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return ``(node embeddings [N, D], graph embeddings [G, D], graph id of each node [N])``."""
        g = inputs.graph if isinstance(inputs, NodeBatch) else inputs
        h = self.nodes(g)
        batch = graph_index(g)
        return h, self.readout(h, batch, dim_size=count_graphs(g)), batch

    def forward(self, inputs: Any) -> torch.Tensor:
        """Return one embedding per sample: per graph for a ``Batch``, per batch node for a ``NodeBatch``."""
        if isinstance(inputs, NodeBatch):
            return self.nodes(inputs.graph)[inputs.index]
        h = self.nodes(inputs)
        return self.readout(h, graph_index(inputs), dim_size=count_graphs(inputs))

    def extra_repr(self) -> str:
        return f"out_dim={self.out_dim}, jk={self.jk!r}, pooling={self.pooling!r}"
