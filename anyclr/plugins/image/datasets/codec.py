"""How image samples are stored in shards: uint8 images as PNG (lossless), anything else as ``.npy``."""

from __future__ import annotations

import io

import numpy as np
import torch

from anyclr.core.codec import SampleCodec
from anyclr.plugins.image.datasets.bundle import flatten_pixels
from anyclr.shards.tensor_codec import npy_array, npy_bytes


def encode_image(image: torch.Tensor) -> dict[str, bytes]:
    """Encode a uint8 [C, H, W] image (C = 1 or 3) as PNG; other dtypes or channel counts as ``.npy``."""
    if image.dtype != torch.uint8 or image.dim() != 3 or image.shape[0] not in (1, 3):
        return {"npy": npy_bytes(image.detach().cpu().numpy())}
    from PIL import Image

    array = image.permute(1, 2, 0).contiguous().numpy()
    buffer = io.BytesIO()
    Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array).save(buffer, format="PNG", compress_level=1)
    return {"png": buffer.getvalue()}


def decode_image(record: dict[str, bytes]) -> torch.Tensor:
    """Decode what :func:`encode_image` wrote back to a [C, H, W] tensor."""
    if "png" not in record:
        return torch.from_numpy(npy_array(record["npy"]))
    from PIL import Image

    with Image.open(io.BytesIO(record["png"])) as img:
        array = np.array(img)  # a writable copy
    array = array[:, :, None] if array.ndim == 2 else array
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def image_codec() -> SampleCodec:
    """Images as PNG files."""
    return SampleCodec(encode=encode_image, decode=decode_image, raw_features=flatten_pixels)
