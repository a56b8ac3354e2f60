"""Colour jitter: random brightness, contrast, saturation and hue per sample, applied in a random order."""

from __future__ import annotations

import torch
from torch import nn

from anyclr.plugins.image.views.grayscale import luma


def _range(value: float, centre: float, name: str, lower: float | None = 0.0) -> tuple[float, float]:
    if value < 0:
        raise ValueError(f"colour jitter {name} must be >= 0, got {value}")
    low = centre - value if lower is None else max(lower, centre - value)
    return low, centre + value


def shift_hue(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Rotate the HSV hue of RGB images [B, 3, H, W] by ``shift`` [B] (fractions of a turn); S and V are kept.

    Works on max/min/chroma directly instead of a full RGB→HSV→RGB round trip (HSV→RGB by
    ``f(n) = V - C·clamp(min(k, 4 - k), 0, 1)``, ``k = (n + H/60) mod 6``), which is the costly part of
    kornia's and torchvision's colour jitter.
    """
    r, g, b = x.unbind(1)
    # Element-wise max/min of the three planes is much faster than a reduction over the channel dim.
    maxc = torch.maximum(torch.maximum(r, g), b)
    minc = torch.minimum(torch.minimum(r, g), b)
    chroma = maxc - minc
    safe = torch.where(chroma > 0, chroma, torch.ones_like(chroma))
    hue = torch.where(maxc == r, (g - b) / safe, torch.where(maxc == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    hue = torch.remainder(hue + 6.0 * shift.view(-1, 1, 1), 6.0)  # in [0, 6)
    out = torch.empty_like(x)
    for c, n in enumerate((5.0, 3.0, 1.0)):  # R, G, B
        k = hue + n
        k -= 6.0 * (k >= 6.0)  # (n + hue) mod 6 without a second remainder
        torch.sub(maxc, chroma * torch.minimum(k, 4.0 - k).clamp_(0.0, 1.0), out=out[:, c])
    return out


class ColorJitter(nn.Module):
    """Jitter brightness, contrast, saturation and hue of each image with probability ``p``.

    Factors follow torchvision: brightness, contrast and saturation factors are uniform in
    ``[max(0, 1 - v), 1 + v]`` and the hue shift in ``[-hue, hue]``; the result is clamped to [0, 1] after
    each step. The order of the four steps is drawn once per call (as kornia does); every sample gets its own
    factors. On images with other than 3 channels only brightness and contrast apply.

    Args:
        brightness: brightness strength (default 0.4).
        contrast: contrast strength (default 0.4).
        saturation: saturation strength (default 0.4).
        hue: hue strength, at most 0.5 (default 0.1).
        p: probability of jittering a sample (default 0.8).
    """

    def __init__(
        self,
        brightness: float = 0.4,
        contrast: float = 0.4,
        saturation: float = 0.4,
        hue: float = 0.1,
        p: float = 0.8,
    ) -> None:
        super().__init__()
        if not 0 <= hue <= 0.5:
            raise ValueError(f"colour jitter hue must be in [0, 0.5], got {hue}")
        self.ranges = (
            _range(brightness, 1.0, "brightness"),
            _range(contrast, 1.0, "contrast"),
            _range(saturation, 1.0, "saturation"),
            (-float(hue), float(hue)),
        )
        self.p = float(p)

    def sample(self, batch: int, device: torch.device) -> dict[str, torch.Tensor]:
        """Return per-sample factors [B, 4] (neutral where a sample is not jittered) and the step order [4]."""
        low = torch.tensor([r[0] for r in self.ranges], device=device)
        high = torch.tensor([r[1] for r in self.ranges], device=device)
        factors = low + (high - low) * torch.rand(batch, 4, device=device)
        neutral = torch.tensor([1.0, 1.0, 1.0, 0.0], device=device)
        keep = torch.rand(batch, 1, device=device) < self.p
        return {"factors": torch.where(keep, factors, neutral), "order": torch.randperm(4)}

    def apply(self, x: torch.Tensor, params: dict[str, torch.Tensor]) -> torch.Tensor:
        """Apply the sampled jitter."""
        rgb = x.shape[1] == 3
        f = params["factors"].to(x.dtype)
        for step in params["order"].tolist():
            if step == 0:
                x = (x * f[:, 0].view(-1, 1, 1, 1)).clamp_(0.0, 1.0)
            elif step == 1:
                grey = luma(x) if rgb else x.mean(dim=1, keepdim=True)
                mean = grey.mean(dim=(2, 3), keepdim=True)
                c = f[:, 1].view(-1, 1, 1, 1)
                x = (c * x + (1.0 - c) * mean).clamp_(0.0, 1.0)
            elif step == 2 and rgb:
                s = f[:, 2].view(-1, 1, 1, 1)
                x = (s * x + (1.0 - s) * luma(x)).clamp_(0.0, 1.0)
            elif step == 3 and rgb:
                x = shift_hue(x, f[:, 3])
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x`` with random colour jitter."""
        return self.apply(x, self.sample(x.shape[0], x.device))

    def extra_repr(self) -> str:
        names = ("brightness", "contrast", "saturation", "hue")
        return ", ".join(f"{n}={r}" for n, r in zip(names, self.ranges, strict=True)) + f", p={self.p}"
