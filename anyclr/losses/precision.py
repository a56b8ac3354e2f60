"""Losses run in float32 even when the encoder ran under bf16/fp16 autocast (softmaxes and statistics need it)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import torch

F = TypeVar("F", bound=Callable[..., Any])


def upcast(z: list[torch.Tensor]) -> list[torch.Tensor]:
    """Return ``z`` with half-precision tensors converted to float32 (others unchanged)."""
    return [t.float() if isinstance(t, torch.Tensor) and t.dtype in (torch.float16, torch.bfloat16) else t for t in z]


@contextmanager
def float32_region(device: torch.device) -> Iterator[None]:
    """Turn autocast off on ``device`` inside the block (a no-op when it is off already)."""
    if torch.is_autocast_enabled(device.type):
        with torch.autocast(device_type=device.type, enabled=False):
            yield
    else:
        yield


def full_precision(forward: F) -> F:
    """Decorate ``forward(self, z, labels)``: run it without autocast on float32 (or wider) embeddings."""

    @functools.wraps(forward)
    def wrapper(self: Any, z: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        device = z[0].device if z and isinstance(z[0], torch.Tensor) else torch.device("cpu")
        with float32_region(device):
            return forward(self, upcast(list(z)), labels)

    return wrapper  # type: ignore[return-value]
