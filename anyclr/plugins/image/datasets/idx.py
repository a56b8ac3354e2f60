"""Read IDX files (the MNIST family's format), gzipped or raw."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from anyclr.core.errors import AnyclrError

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """Return the array stored in an IDX file (``.gz`` is decompressed on the fly)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise AnyclrError(
            f"Could not read IDX file {path}: {exc}", "The file may be truncated; reinstall or re-copy it."
        ) from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise AnyclrError(f"{path} is not an IDX file (bad magic number).")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(v) for v in np.frombuffer(data[4:header], dtype=">u4"))
    dtype = np.dtype(_DTYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise AnyclrError(f"{path} is truncated or corrupt: header says {shape} but holds {len(data) - header} bytes.")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
