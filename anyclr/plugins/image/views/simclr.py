"""The SimCLR view pipeline: crop+flip, colour jitter, grayscale, blur, solarize — batched, per-sample random."""

from __future__ import annotations

import torch

from anyclr.core.views import ViewGenerator
from anyclr.plugins.image.views.color_jitter import ColorJitter
from anyclr.plugins.image.views.color_map import apply_color_map, then_grey
from anyclr.plugins.image.views.convert import check_images, to_unit_float
from anyclr.plugins.image.views.gaussian_blur import RandomGaussianBlur, gaussian_blur
from anyclr.plugins.image.views.grayscale import RandomGrayscale
from anyclr.plugins.image.views.horizontal_flip import RandomHorizontalFlip
from anyclr.plugins.image.views.resized_crop import CropWindows, RandomResizedCrop
from anyclr.plugins.image.views.solarize import RandomSolarize
from anyclr.plugins.image.views.subset import apply_to_selected

CHUNK_PIXELS = 2**19  # output pixels per plane and CPU thread in one chunk (2 MiB of float32; 56 images at 96 px)


def chunk_size(device: torch.device, size: tuple[int, int]) -> int:
    """Return how many samples to augment at once: all on accelerators, cache-sized chunks on CPU.

    Each view takes about ten passes over its pixels (crop, colour map, blur, solarize, the sub-batch
    copies); on CPU, chunks whose planes stay in each thread's cache ran 1.2-1.5× faster at 96 px than
    whole-batch passes on one thread, and reuse their buffers instead of page-faulting fresh ones. The
    chunk grows with the thread count so that every thread's share stays cache-sized (on a machine
    crowded by other processes, bigger chunks do better still: fewer points where threads wait).
    """
    if device.type != "cpu":
        return 2**62
    return max(1, CHUNK_PIXELS * torch.get_num_threads() // (size[0] * size[1]))


class SimCLRViews(ViewGenerator):
    """SimCLR's augmentations (Chen et al. 2020, arXiv 2002.05709, appendix A), drawn for a whole batch at once.

    Inputs are uint8 or float image batches [B, C, H, W] on any device; they are converted to float in
    [0, 1] chunk by chunk and every view is float32 in [0, 1] of size ``image_size``. Normalisation is left to the
    encoder (anyclr's image backbones standardise their input with the dataset's mean/std), so training
    views and the un-augmented images used for evaluation go through the same input layer. Colour jitter's
    saturation/hue and grayscale only act on 3-channel images; 1-channel images get brightness/contrast.
    Jitter and grayscale are one affine colour map per sample (see :class:`ColorJitter` for how that
    differs from torchvision: YIQ hue, one clamp at the end); the flip rides in the crop's sampling grid.

    The parameters come from the augmentation components' own ``sample`` (``image-resized-crop``,
    ``image-flip``, ``image-color-jitter``, ``image-grayscale``, ``image-blur``, ``image-solarize``), drawn
    in that order for the whole batch; only the apply is fused (one pass for crop and flip, one colour map
    for jitter and grayscale, in cache-sized chunks). A ``compose`` recipe of those components gives the
    same kind of views, a little slower.

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
        self.crop = RandomResizedCrop(image_size, crop_scale, crop_ratio)
        self.flip = RandomHorizontalFlip(flip_prob)
        s = float(jitter_strength)
        self.jitter = ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, p=jitter_prob)
        self.grayscale = RandomGrayscale(grayscale_prob)
        self.blur = RandomGaussianBlur(int(blur_kernel), tuple(blur_sigma), blur_prob)
        self.solarize = RandomSolarize(0.5, solarize_prob)

    def view(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return one augmented view (float in [0, 1]) of an image batch."""
        check_images(inputs)
        return self._augment(inputs)

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        size = self.crop.size or (h, w)
        dev = x.device
        # Parameters first, for the whole batch (so results do not depend on the chunking below).
        crop = self.crop
        windows = crop.sample(x).boxes
        flip = self.flip.sample(x) if self.flip.p > 0 else None
        jitter = self.jitter.sample(x) if self.jitter.p > 0 else None
        grey = self.grayscale.sample(x) if self.grayscale.p > 0 and c == 3 else None
        kernel = self.blur.kernel_for(*size)
        sigma = self.blur.sample(x) if self.blur.p > 0 and kernel > 1 else None
        solarize = self.solarize.sample(x) if self.solarize.p > 0 else None
        # The colour matrices do not depend on the pixels: build them once for the whole batch.
        matrix = None if jitter is None and grey is None else self._colour_matrices(b, c, dev, jitter, grey)

        def apply(sl: slice, out: torch.Tensor) -> None:
            # Converting per chunk keeps the float copy of the input in cache and off the page-faulting heap.
            part = to_unit_float(x[sl])
            part = crop.apply(part, CropWindows(windows[sl], None if flip is None else flip[sl]))  # flip in the grid
            if matrix is not None:
                # Jitter, then grayscale, as one affine colour map per sample: a single pass over the pixels.
                if jitter is not None:
                    offset = self.jitter.offset(jitter[sl], part.mean(dim=(2, 3)))
                    if grey is not None:
                        _, offset = then_grey(matrix[sl], offset, grey[sl])
                else:
                    offset = part.new_zeros(part.shape[:2])
                apply_color_map(part, matrix[sl], offset, out=out)
            else:
                torch.clamp(part, 0.0, 1.0, out=out)  # resampling can overshoot [0, 1] by rounding
            # ``out`` is the result's own chunk, so the sub-batch ops write into it.
            if sigma is not None:
                s = sigma[sl]
                blur_some = lambda sub, idx: gaussian_blur(sub, s[idx], kernel).clamp_(0.0, 1.0)  # noqa: E731
                apply_to_selected(out, s > 0, blur_some, inplace=True)
            if solarize is not None:
                self.solarize.apply(out, solarize[sl], inplace=True)

        n = chunk_size(dev, size)
        n = -(-b // -(-b // n))  # equal chunks: 256 images in chunks of 113 become 86, 86, 84
        result = torch.empty(b, c, *size, device=dev, dtype=torch.float32)
        for i in range(0, b, n):
            apply(slice(i, i + n), result[i : i + n])
        return result

    def _colour_matrices(
        self, b: int, c: int, device: torch.device, jitter: torch.Tensor | None, grey: torch.Tensor | None
    ) -> torch.Tensor:
        """Return the per-sample colour matrices [B, C, C] of jitter followed by grayscale."""
        if jitter is not None:
            matrix = self.jitter.matrix(jitter, c)
        else:
            matrix = torch.eye(c, device=device).expand(b, c, c)
        if grey is not None:
            matrix, _ = then_grey(matrix, matrix.new_zeros(b, c), grey)
        return matrix

    def extra_repr(self) -> str:
        return f"n_views={self.n_views}, image_size={self.image_size}"
