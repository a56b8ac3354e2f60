"""The SimCLR view pipeline: crop+flip, colour jitter, grayscale, blur, solarize — batched, per-sample random."""

from __future__ import annotations

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.image.views.color_jitter import ColorJitter
from anyclr.plugins.image.views.convert import check_images, to_unit_float
from anyclr.plugins.image.views.gaussian_blur import RandomGaussianBlur, blur_kernel_size
from anyclr.plugins.image.views.grayscale import RandomGrayscale
from anyclr.plugins.image.views.horizontal_flip import RandomHorizontalFlip
from anyclr.plugins.image.views.resized_crop import RandomResizedCrop, as_size
from anyclr.plugins.image.views.solarize import RandomSolarize

CHUNK_PIXELS = 2**18  # output pixels per plane in one CPU chunk (1 MiB of float32)


def chunk_size(device: torch.device, size: tuple[int, int]) -> int:
    """Return how many samples to augment at once: all on accelerators, cache-sized chunks on CPU.

    Each view takes about 25 element-wise passes over its pixels; on CPU, chunks whose planes stay in
    cache run 1.3-2× faster at 96 px than whole-batch passes (see benchmarks/image_views.py).
    """
    if device.type != "cpu":
        return 2**62
    return max(1, CHUNK_PIXELS // (size[0] * size[1]))


class SimCLRViews(ViewGenerator):
    """SimCLR's augmentations (Chen et al. 2020, arXiv 2002.05709, appendix A), drawn for a whole batch at once.

    Inputs are uint8 or float image batches [B, C, H, W] on any device; they are converted to float in
    [0, 1] once and every view is float in [0, 1] of size ``image_size``. Normalisation is left to the
    encoder (anyclr's image backbones standardise their input with the dataset's mean/std), so training
    views and the un-augmented images used for evaluation go through the same input layer. Colour jitter's
    saturation/hue and grayscale only act on 3-channel images; 1-channel images get brightness/contrast.

    Args:
        n_views: views per sample (default 2).
        image_size: output side or ``[height, width]``; injected from the dataset (default: the input size).
        crop_scale: area range of the random resized crop (default ``[0.08, 1.0]``).
        crop_ratio: aspect-ratio range of the crop (default ``[3/4, 4/3]``).
        flip_prob: horizontal flip probability (default 0.5).
        jitter_strength: SimCLR's colour strength ``s``: brightness/contrast/saturation ``0.8 s``, hue
            ``0.2 s`` (default 0.5, i.e. 0.4/0.4/0.4/0.1).
        jitter_prob: probability of colour jitter (default 0.8).
        grayscale_prob: probability of grayscale (default 0.2).
        blur_prob: probability of Gaussian blur (default 0.5; SimCLR drops it for CIFAR-sized images).
        blur_sigma: blur sigma range in pixels (default ``[0.1, 2.0]``).
        blur_kernel: odd kernel size; 0 picks about 10% of the image side (default 0).
        solarize_prob: probability of solarizing (default 0.0; BYOL uses 0.2 on one view).
    """

    def __init__(
        self,
        n_views: int = 2,
        image_size: int | list[int] | None = None,
        crop_scale: list[float] | tuple[float, float] = (0.08, 1.0),
        crop_ratio: list[float] | tuple[float, float] = (3 / 4, 4 / 3),
        flip_prob: float = 0.5,
        jitter_strength: float = 0.5,
        jitter_prob: float = 0.8,
        grayscale_prob: float = 0.2,
        blur_prob: float = 0.5,
        blur_sigma: list[float] | tuple[float, float] = (0.1, 2.0),
        blur_kernel: int = 0,
        solarize_prob: float = 0.0,
    ) -> None:
        super().__init__(n_views)
        for name, p in (
            ("flip_prob", flip_prob),
            ("jitter_prob", jitter_prob),
            ("grayscale_prob", grayscale_prob),
            ("blur_prob", blur_prob),
            ("solarize_prob", solarize_prob),
        ):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {p}")
        self.image_size = image_size
        self.crop_scale = tuple(crop_scale)
        self.crop_ratio = tuple(crop_ratio)
        self.flip = RandomHorizontalFlip(flip_prob)
        s = float(jitter_strength)
        self.jitter = ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, p=jitter_prob)
        self.grayscale = RandomGrayscale(grayscale_prob)
        self.blur_prob = float(blur_prob)
        self.blur_sigma = tuple(blur_sigma)
        self.blur_kernel = int(blur_kernel)
        self.solarize = RandomSolarize(0.5, solarize_prob)
        self._crops: dict[tuple[int, int], RandomResizedCrop] = {}
        # Validate the crop ranges now rather than on the first batch.
        self._crop_for((32, 32) if image_size is None else as_size(image_size))

    def _crop_for(self, size: tuple[int, int]) -> RandomResizedCrop:
        if size not in self._crops:
            self._crops[size] = RandomResizedCrop(size, self.crop_scale, self.crop_ratio)
        return self._crops[size]

    def view(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return one augmented view (float in [0, 1]) of an image batch."""
        check_images(inputs)
        return self._augment(to_unit_float(inputs))

    def forward(self, inputs: torch.Tensor) -> list[torch.Tensor]:
        """Return ``n_views`` augmented views, converting the batch to float only once."""
        check_images(inputs)
        x = to_unit_float(inputs)
        return [self._augment(x) for _ in range(self.n_views)]

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        size = (h, w) if self.image_size is None else as_size(self.image_size)
        dev = x.device
        # Parameters first, for the whole batch (so results do not depend on the chunking below).
        crop = self._crop_for(size)
        windows = crop.sample(b, h, w, dev)
        flip = self.flip.sample(b, dev) if self.flip.p > 0 else None
        jitter = self.jitter.sample(b, dev) if self.jitter.p > 0 else None
        grey = self.grayscale.sample(b, dev) if self.grayscale.p > 0 and x.shape[1] == 3 else None
        blur = RandomGaussianBlur(self.blur_kernel or blur_kernel_size(min(size)), self.blur_sigma, self.blur_prob)
        sigma = blur.sample(b, dev) if self.blur_prob > 0 else None
        solarize = self.solarize.sample(b, dev) if self.solarize.p > 0 else None

        def apply(sl: slice) -> torch.Tensor:
            out = crop.apply(x[sl], windows[sl], None if flip is None else flip[sl])  # the flip rides in the grid
            if jitter is not None:
                out = self.jitter.apply(out, {"factors": jitter["factors"][sl], "order": jitter["order"]})
            if grey is not None:
                out = self.grayscale.apply(out, grey[sl])
            if sigma is not None:
                out = blur.apply(out, sigma[sl])
            if solarize is not None:
                out = self.solarize.apply(out, solarize[sl])
            return out.clamp_(0.0, 1.0)  # resampling and blur can overshoot [0, 1] by rounding

        n = chunk_size(dev, size)
        if n >= b:
            return apply(slice(None))
        return torch.cat([apply(slice(i, i + n)) for i in range(0, b, n)])

    def extra_repr(self) -> str:
        return (
            f"n_views={self.n_views}, image_size={self.image_size}, crop_scale={self.crop_scale}, "
            f"blur_prob={self.blur_prob}"
        )
