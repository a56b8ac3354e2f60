"""Stable int64 codes for categorical values: the same value gives the same code in any file, run or machine."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anyclr.plugins.events.batch import MASK_CODE, PAD_CODE

MISSING = "\x00missing"  # the text a missing value is coded as (a category of its own)


def value_codes(values: pd.Series) -> np.ndarray:
    """Return ``[N]`` int64 codes of a column's values, hashed from their text (``5411``, ``5411.0`` and ``"5411"`` agree).

    pandas' ``hash_array`` uses a fixed key, so codes are stable across processes and versions of the file
    format; 0 and 1 are reserved for padding and masked values.
    """
    index, uniques = pd.factorize(values, use_na_sentinel=False)  # hash each distinct value once
    uniques = pd.Series(uniques)
    if pd.api.types.is_float_dtype(uniques.dtype):
        whole = uniques.dropna()
        if len(whole) and bool(np.all(np.mod(whole.to_numpy(), 1) == 0)):
            uniques = uniques.astype("Int64")  # integer codes read as floats (a CSV column with gaps)
    text = uniques.astype("string").fillna(MISSING).to_numpy(dtype=object)
    codes = pd.util.hash_array(text).view(np.int64)
    reserved = (codes == PAD_CODE) | (codes == MASK_CODE)
    if reserved.any():
        codes = np.where(reserved, codes + 2, codes)
    return codes[index]


def text_codes(values: list[str]) -> np.ndarray:
    """Return the codes of values given as text (what :func:`value_codes` gives for them)."""
    return value_codes(pd.Series(values, dtype="string"))
