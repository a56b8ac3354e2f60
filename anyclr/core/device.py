"""Where and how a run computes: device, autocast precision, memory format, CPU threads, process group."""

from __future__ import annotations

import atexit
import os
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch
import torch.distributed as dist

from anyclr.core.errors import AnyclrError

PRECISIONS = ("auto", "bf16", "fp32")


def select_device(spec: str = "auto") -> torch.device:
    """Return the device for ``spec`` (auto | cpu | cuda | cuda:N | mps); auto picks CUDA when available."""
    spec = str(spec or "auto").strip().lower()
    if spec == "auto":
        if torch.cuda.is_available():
            local = int(os.environ.get("LOCAL_RANK", "0"))
            return torch.device("cuda", local % max(torch.cuda.device_count(), 1))
        return torch.device("cpu")
    try:
        device = torch.device(spec)
    except RuntimeError:
        raise AnyclrError(f"trainer.device = {spec!r} is not a device.", "Use auto, cpu, cuda or cuda:N.") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise AnyclrError("trainer.device asks for CUDA, but no CUDA device is available.", "Use trainer.device=cpu.")
        if device.index is None and "LOCAL_RANK" in os.environ:
            device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return device


def autocast_dtype(device: torch.device, precision: str = "auto") -> torch.dtype | None:
    """Return the autocast dtype (bf16 on CUDA by default) or None for plain fp32."""
    precision = str(precision).lower()
    if precision not in PRECISIONS:
        raise AnyclrError(f"trainer.precision = {precision!r} is not one of {', '.join(PRECISIONS)}.")
    if precision == "fp32":
        return None
    if precision == "auto":
        return torch.bfloat16 if device.type == "cuda" else None
    return torch.bfloat16


def autocast(device: torch.device, dtype: torch.dtype | None) -> AbstractContextManager[Any]:
    """Return an autocast context for ``dtype``, or a no-op context for fp32."""
    if dtype is None:
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def use_channels_last(device: torch.device, setting: Any) -> bool:
    """Return True if 4-D batches (images) should use channels_last: on CUDA when ``setting`` is auto, or true.

    Only 4-D tensors are converted (:func:`to_channels_last`, ``Module.to(memory_format=…)``), so other inputs
    are unaffected and the data need not be read to decide.
    """
    if isinstance(setting, str):
        wanted = {"auto": device.type == "cuda", "true": True, "false": False}.get(setting.lower())
        if wanted is None:
            raise AnyclrError(f"trainer.channels_last = {setting!r} must be auto, true or false.")
    else:
        wanted = bool(setting)
    return bool(wanted)


def to_channels_last(obj: Any) -> Any:
    """Return 4-D tensors (and lists of them) in channels_last memory format; leave anything else alone."""
    if isinstance(obj, torch.Tensor) and obj.dim() == 4:
        return obj.contiguous(memory_format=torch.channels_last)
    if isinstance(obj, list):
        return [to_channels_last(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_channels_last(v) for k, v in obj.items()}
    return obj


def set_threads(device: torch.device, threads: int) -> int | None:
    """Set torch's CPU threads on CPU runs (0 = the cores shared among local processes); return the previous count."""
    if device.type != "cpu":
        return None
    previous = torch.get_num_threads()
    local = max(int(os.environ.get("LOCAL_WORLD_SIZE", "1")), 1)
    torch.set_num_threads(int(threads) if threads and threads > 0 else max((os.cpu_count() or 1) // local, 1))
    return previous


def init_process_group(device: torch.device) -> bool:
    """Join the torchrun process group when WORLD_SIZE > 1 (gloo on CPU, nccl on CUDA); return True if distributed."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return False
    if not dist.is_available():
        raise AnyclrError("WORLD_SIZE > 1 but this torch build has no torch.distributed.")
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        # Left for interpreter teardown, the group's threads can abort a finished run (SIGABRT, seen with gloo).
        atexit.register(_destroy_process_group)
    return dist.get_world_size() > 1


def _destroy_process_group() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
