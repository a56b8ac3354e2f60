"""NoiseErase: additive Gaussian noise plus one random erased box per sample, for a batch of any tensor."""

from __future__ import annotations

import torch

from anyclr.core.views import ViewGenerator


def to_float(x: torch.Tensor) -> torch.Tensor:
    """Return ``x`` as float32; uint8 images (0..255) become 0..1, as anyclr's image datasets store them."""
    if x.dtype == torch.uint8:
        return x.float() / 255.0
    return x.float()


class NoiseErase(ViewGenerator):
    """Add Gaussian noise, then zero a random box spanning the last ``erase_dims`` dimensions.

    Random parameters (noise, box size and position, whether to erase) are drawn per sample for the
    whole batch at once on the inputs' device, from torch's global RNG.

    Args:
        n_views: number of views per sample (default 2).
        noise_std: standard deviation of the added noise (default 0.1).
        erase_prob: probability that a sample gets a box erased (default 0.5).
        erase_area: range of the box's fraction of the erased dimensions (default [0.05, 0.3]).
        erase_dims: how many trailing dimensions the box spans (default 2: height and width of
            ``[B, C, H, W]`` images; use 1 for ``[B, T]`` or ``[B, C, T]`` series).
    """

    def __init__(
        self,
        n_views: int = 2,
        noise_std: float = 0.1,
        erase_prob: float = 0.5,
        erase_area: tuple[float, float] = (0.05, 0.3),
        erase_dims: int = 2,
    ) -> None:
        super().__init__(n_views)
        low, high = erase_area
        if not 0 < low <= high <= 1:
            raise ValueError(f"erase_area must satisfy 0 < low <= high <= 1, got {erase_area}")
        self.noise_std = float(noise_std)
        self.erase_prob = float(erase_prob)
        self.erase_area = (float(low), float(high))
        self.erase_dims = int(erase_dims)

    def __repr__(self) -> str:
        return (
            f"NoiseErase(n_views={self.n_views}, noise_std={self.noise_std}, erase_prob={self.erase_prob}, "
            f"erase_area={self.erase_area}, erase_dims={self.erase_dims})"
        )

    def box_mask(self, x: torch.Tensor) -> torch.Tensor:
        """Return a boolean mask, broadcastable to ``x``, that is True inside each sample's erased box."""
        batch, ndim = x.shape[0], x.dim()
        dims = min(self.erase_dims, ndim - 1)
        low, high = self.erase_area
        area = torch.empty(batch, device=x.device).uniform_(low, high)
        side = area ** (1.0 / max(dims, 1))  # the same fraction along each dimension gives the drawn area
        mask = (torch.rand(batch, device=x.device) < self.erase_prob).view(batch, *[1] * (ndim - 1))
        for axis in range(ndim - dims, ndim):
            size = x.shape[axis]
            length = (side * size).round().clamp(1, size)
            start = (torch.rand(batch, device=x.device) * (size - length + 1)).floor()
            pos = torch.arange(size, device=x.device)
            inside = (pos >= start[:, None]) & (pos < (start + length)[:, None])
            shape = [batch] + [1] * (ndim - 1)
            shape[axis] = size
            mask = mask & inside.view(shape)
        return mask

    def view(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return one noisy, partly erased float copy of the batch (uint8 images are scaled to [0, 1] first)."""
        x = to_float(inputs)
        x = x + self.noise_std * torch.randn_like(x)
        return x.masked_fill(self.box_mask(x), 0.0)
