"""The generic codec: a tensor (or a dict of tensors) as ``.npy`` files; what modalities without their own use."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import torch

from anyclr.core.codec import SampleCodec
from anyclr.core.errors import AnyclrError


def npy_bytes(array: np.ndarray) -> bytes:
    """Return ``array`` as the bytes of a ``.npy`` file."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def npy_array(data: bytes) -> np.ndarray:
    """Read the bytes of a ``.npy`` file (never unpickling objects)."""
    return np.load(io.BytesIO(data), allow_pickle=False)


def encode_tensors(inputs: Any) -> dict[str, bytes]:
    """Encode a tensor as ``npy``, or a dict of tensors as ``<key>.npy`` each."""
    if isinstance(inputs, dict):
        return {f"{key}.npy": npy_bytes(_array(value, key)) for key, value in inputs.items()}
    return {"npy": npy_bytes(_array(inputs, "input"))}


def decode_tensors(record: dict[str, bytes]) -> Any:
    """Decode what :func:`encode_tensors` wrote."""
    if "npy" in record:
        return torch.from_numpy(npy_array(record["npy"]))
    keys = [k for k in record if k.endswith(".npy")]
    if not keys:
        raise ValueError(f"no .npy member (found {', '.join(k for k in record if not k.startswith('__')) or 'nothing'})")
    return {k[: -len(".npy")]: torch.from_numpy(npy_array(record[k])) for k in keys}


def _array(value: Any, key: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    raise AnyclrError(
        f"The tensor codec cannot store {key} of type {type(value).__name__}.",
        "The dataset's plug-in must register a codec for its samples (the anyclr_codecs hook) and name it in info['codec'].",
    )


def tensor_codec() -> SampleCodec:
    """Tensors, or dicts of tensors, as ``.npy`` files."""
    return SampleCodec(encode=encode_tensors, decode=decode_tensors)
