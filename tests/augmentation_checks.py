"""Helpers for the tests of every plug-in's augmentations (the sample/apply contract of core/views.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode


def tensors_in(obj: Any) -> list[torch.Tensor]:
    """Return the tensors in parameters or a view: a tensor, a dataclass's fields, a tuple or list (in order)."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    if dataclasses.is_dataclass(obj):
        return [t for f in dataclasses.fields(obj) for t in tensors_in(getattr(obj, f.name))]
    if isinstance(obj, (list, tuple)):
        return [t for v in obj for t in tensors_in(v)]
    return []


def same(a: Any, b: Any) -> bool:
    """Return True if ``a`` and ``b`` hold the same tensors, bit for bit (NaN equal to NaN)."""
    ta, tb = tensors_in(a), tensors_in(b)
    return len(ta) == len(tb) and all(
        x.shape == y.shape and x.dtype == y.dtype and torch.equal(x.isnan(), y.isnan()) and torch.equal(x.nan_to_num(), y.nan_to_num())
        if x.is_floating_point()
        else x.shape == y.shape and torch.equal(x, y)
        for x, y in zip(ta, tb, strict=True)
    )


class _Count(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.ops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        self.ops += 1
        return func(*args, **(kwargs or {}))


def count_ops(fn: Callable[[], Any]) -> int:
    """Return how many tensor operations ``fn()`` dispatches (a per-sample Python loop makes it grow with the batch)."""
    with _Count() as counter:
        fn()
    return counter.ops
