"""Random Gaussian blur with a per-sample sigma, as one separable, batched filter."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from anyclr.core.views import Augmentation
from anyclr.plugins.image.views.convert import as_float, check_images
from anyclr.plugins.image.views.subset import apply_to_selected


def blur_kernel_size(image_size: int) -> int:
    """Return SimCLR's kernel size for an image side: about 10% of it, odd, at least 3."""
    k = int(0.1 * image_size)
    return max(3, k + 1 - k % 2)


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor, kernel_size: int) -> torch.Tensor:
    """Blur images [B, C, H, W] with per-sample sigmas [B] (reflect padding, like torchvision); sigma 0 is identity."""
    b, c, h, w = x.shape
    r = kernel_size // 2
    d = torch.arange(-r, r + 1, device=x.device, dtype=x.dtype)
    # A tiny floor turns sigma 0 into a unit impulse (no blur) instead of 0/0.
    k = torch.exp(-(d**2) / (2 * sigma.to(x.dtype).clamp_min(1e-3).view(-1, 1) ** 2))
    k = (k / k.sum(dim=1, keepdim=True)).repeat_interleave(c, dim=0)  # one kernel per (sample, channel)
    # Reflect padding needs the image to be larger than the kernel radius; tiny images replicate instead.
    mode = "reflect" if r < min(h, w) else "replicate"
    y = F.pad(x, (r, r, r, r), mode=mode).reshape(1, b * c, h + 2 * r, w + 2 * r)
    # Channels-last makes the depthwise convolution about twice as fast on CPU (oneDNN's preferred layout).
    y = y.contiguous(memory_format=torch.channels_last)
    y = F.conv2d(y, k.view(b * c, 1, 1, kernel_size), groups=b * c)
    y = F.conv2d(y, k.view(b * c, 1, kernel_size, 1), groups=b * c)
    return y.reshape(b, c, h, w)


class RandomGaussianBlur(Augmentation):
    """Blur each image with probability ``p`` (default 0.5) by a Gaussian with sigma uniform in ``sigma``.

    Parameters: per-sample sigmas [B], 0 where a sample is not blurred. Only the selected samples are
    filtered, by :func:`gaussian_blur` (one depthwise convolution per axis over the whole sub-batch, with
    per-sample kernels). Takes uint8 or float images; returns floats in [0, 1].

    Args:
        kernel_size: odd kernel size; 0 picks SimCLR's, about 10% of the image's shorter side
            (default 0; see :func:`blur_kernel_size`).
        sigma: range of the standard deviation in pixels (default ``(0.1, 2.0)``).
        p: probability of blurring a sample (default 0.5).
    """

    def __init__(
        self, kernel_size: int = 0, sigma: tuple[float, float] | list[float] = (0.1, 2.0), p: float = 0.5
    ) -> None:
        super().__init__()
        if kernel_size < 0 or (kernel_size and kernel_size % 2 == 0):
            raise ValueError(f"blur kernel_size must be odd and positive (or 0 for 10% of the image), got {kernel_size}")
        self.kernel_size = int(kernel_size)
        self.sigma = (float(sigma[0]), float(sigma[1]))
        self.p = float(p)

    def sample(self, inputs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return per-sample sigmas [B]; 0 where a sample is not blurred."""
        check_images(inputs)
        batch, device = inputs.shape[0], inputs.device
        sigma = torch.empty(batch, device=device).uniform_(*self.sigma, generator=generator)
        keep = torch.rand(batch, device=device, generator=generator) < self.p
        return torch.where(keep, sigma, torch.zeros_like(sigma))

    def kernel_for(self, height: int, width: int) -> int:
        """Return the kernel size used on images of this size."""
        return self.kernel_size or blur_kernel_size(min(height, width))

    def apply(self, inputs: torch.Tensor, params: torch.Tensor, inplace: bool = False) -> torch.Tensor:
        """Blur every sample whose sigma is positive with its own Gaussian (writing into the input if ``inplace``)."""
        x = as_float(inputs)
        kernel = self.kernel_for(x.shape[2], x.shape[3])
        if kernel == 1:
            return x
        blur = lambda sub, idx: gaussian_blur(sub, params[idx], kernel)  # noqa: E731
        return apply_to_selected(x, params > 0, blur, inplace)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size or 'auto'}, sigma={self.sigma}, p={self.p}"
