"""MLP: the projection head of SimCLR and the predictor of BYOL / SimSiam."""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """A stack of ``layers`` Linear layers with BatchNorm and ReLU between them.

    Args:
        in_dim: input width (the backbone's ``out_dim``; filled in by the builder).
        hidden_dim: width of the hidden layers (default 512).
        out_dim: output width (default 128).
        layers: number of Linear layers (default 2; 1 gives a plain Linear).
        batchnorm: BatchNorm1d after each hidden Linear (default True), as in SimCLR v2 / BYOL.
        last_batchnorm: BatchNorm1d after the last Linear (default False), as in SimSiam's projector and
            SimCLR's reference code; the last Linear then has no bias (the BN would remove it).
        last_affine: give that last BatchNorm a learned scale and shift (default False, SimSiam's; True is
            SimCLR's reference code and LightlySSL's ``SimCLRProjectionHead``).

    Inputs may have extra leading dimensions (``[B, T, D]`` per-timestamp features): every position
    is projected independently.
    """

    def __init__(
        self,
        in_dim: int,
        hidden_dim: int = 512,
        out_dim: int = 128,
        layers: int = 2,
        batchnorm: bool = True,
        last_batchnorm: bool = False,
        last_affine: bool = False,
    ) -> None:
        super().__init__()
        if last_affine and not last_batchnorm:
            raise ValueError("last_affine needs last_batchnorm = true (it is the last BatchNorm's scale and shift)")
        if layers < 1:
            raise ValueError(f"layers must be at least 1, got {layers}")
        if min(in_dim, hidden_dim, out_dim) < 1:
            raise ValueError(f"widths must be positive, got in_dim={in_dim}, hidden_dim={hidden_dim}, out_dim={out_dim}")
        self.in_dim = int(in_dim)
        self.out_dim = int(out_dim)
        widths = [in_dim] + [hidden_dim] * (layers - 1) + [out_dim]
        blocks: list[nn.Module] = []
        for i in range(layers - 1):
            # A Linear followed by BatchNorm needs no bias of its own.
            blocks.append(nn.Linear(widths[i], widths[i + 1], bias=not batchnorm))
            if batchnorm:
                blocks.append(nn.BatchNorm1d(widths[i + 1]))
            blocks.append(nn.ReLU(inplace=True))
        blocks.append(nn.Linear(widths[-2], widths[-1], bias=not last_batchnorm))
        if last_batchnorm:
            blocks.append(nn.BatchNorm1d(out_dim, affine=bool(last_affine)))
        self.net = nn.Sequential(*blocks)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Project ``[..., in_dim]`` features to ``[..., out_dim]``."""
        if h.dim() == 2:
            return self.net(h)
        lead = h.shape[:-1]
        return self.net(h.reshape(-1, h.shape[-1])).reshape(*lead, self.out_dim)
