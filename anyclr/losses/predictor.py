"""The predictor head of BYOL, SimSiam, MoCo v3 and NNCLR (an MLP from anyclr.heads), and its SyncBatchNorm match."""

from __future__ import annotations

from torch import nn

from anyclr.heads.mlp import MLP


def make_predictor(dim: int, hidden_dim: int = 512, batchnorm: bool = True) -> nn.Module:
    """Return a two-layer MLP predictor ``dim -> hidden_dim -> dim`` (BatchNorm after the hidden layer)."""
    return MLP(in_dim=dim, hidden_dim=hidden_dim, out_dim=dim, layers=2, batchnorm=batchnorm)


def match_sync_batchnorm(module: nn.Module, encoder: nn.Module) -> nn.Module:
    """Convert ``module``'s BatchNorm to SyncBatchNorm when the encoder's was converted (``trainer.sync_batchnorm``)."""
    if any(isinstance(m, nn.SyncBatchNorm) for m in encoder.modules()):
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return module


def predict(predictor: nn.Module, z: list) -> list:
    """Run the predictor on all views as one batch (as the encoder did) and split the result back per view."""
    import torch

    return list(predictor(torch.cat(z)).chunk(len(z)))
