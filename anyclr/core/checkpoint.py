"""Checkpoints: weights as safetensors, training state via ``torch.load(weights_only=True)``, written atomically.

A run keeps ``checkpoints/last.safetensors`` (encoder and objective ``state_dict``s, which include queues, EMA
targets and prototypes, under the prefixes ``encoder.`` and ``objective.``) and ``checkpoints/last.state.pt``
(optimiser state, epoch, step, RNG states, loss history). Both carry the epoch, so a pair written by two
different epochs (a crash between the two renames) is detected instead of silently mixed.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from safetensors.torch import save as save_bytes
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.core.writing import writing

WEIGHTS = "last.safetensors"
STATE = "last.state.pt"


def checkpoint_dir(run_dir: str | Path) -> Path:
    """Return the run's checkpoint folder."""
    return Path(run_dir) / "checkpoints"


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` on a temporary file next to ``path``, then rename it over ``path``.

    The old file stays intact until the new one is complete and flushed; the temporary file is removed
    if writing fails. A full disk or a read-only folder raises an :class:`AnyclrError` naming ``path``.
    """
    atomic_write_all([(path, write)])


def atomic_write_all(files: list[tuple[Path, Callable[[str], None]]]) -> None:
    """Write every file to a temporary name first and rename them only when all are complete.

    A failure while writing (a full disk) leaves every old file as it was. The renames themselves are two
    steps: a process killed between them leaves a pair from two epochs, which :func:`load` detects and names.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, write in files:
            with writing(path, path.name, exact=True):
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                os.close(fd)
                temps.append((tmp, path))
                write(tmp)
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
        for tmp, path in temps:
            with writing(path, path.name, exact=True):
                os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def weights_of(modules: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    """Flatten the modules' state_dicts into ``{prefix.key: tensor}`` as independent, contiguous CPU tensors.

    Cloning breaks storage sharing (tied weights, an objective holding the encoder), which safetensors refuses.
    """
    out: dict[str, torch.Tensor] = {}
    for prefix, module in modules.items():
        for key, value in module.state_dict().items():
            if isinstance(value, torch.Tensor):
                out[f"{prefix}.{key}"] = value.detach().to("cpu", copy=True).contiguous()
    return out


def save(run_dir: str | Path, modules: dict[str, nn.Module], state: dict[str, Any]) -> Path:
    """Write weights and training state for ``state['epoch']`` atomically; return the checkpoint folder."""
    folder = checkpoint_dir(run_dir)
    epoch = str(int(state["epoch"]))
    # Serialised in memory first: then the disk is written by plain file I/O, whose errors (a full disk)
    # are OSErrors with an errno that `writing` turns into a clear message; torch.save raises RuntimeError.
    buffer = io.BytesIO()
    torch.save(state, buffer)
    state_bytes = buffer.getvalue()
    weights_bytes = save_bytes(weights_of(modules), metadata={"epoch": epoch})
    atomic_write_all([
        (folder / STATE, lambda tmp: Path(tmp).write_bytes(state_bytes)),
        (folder / WEIGHTS, lambda tmp: Path(tmp).write_bytes(weights_bytes)),
    ])
    return folder


def load_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a safetensors weights file (no code can run while loading it)."""
    path = Path(path)
    if not path.is_file():
        raise AnyclrError(f"Checkpoint {path} does not exist.", "Is this a run folder? It should hold checkpoints/.")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise AnyclrError(f"Checkpoint {path} is not a valid safetensors file: {exc}") from None


def weights_epoch(path: str | Path) -> int | None:
    """Return the epoch recorded in a weights file's metadata (None if absent)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        meta = fh.metadata() or {}
    return int(meta["epoch"]) if "epoch" in meta else None


def load_state(path: str | Path) -> dict[str, Any]:
    """Read a training-state file with ``torch.load(weights_only=True)``: a crafted pickle cannot run code."""
    path = Path(path)
    if not path.is_file():
        raise AnyclrError(f"Checkpoint state {path} does not exist.", "Is this a run folder? It should hold checkpoints/.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, TypeError, AttributeError) as exc:
        first = unpickling_reason(exc)
        raise AnyclrError(
            f"Refusing to load checkpoint state {path}: it is not a plain anyclr training state ({first}).",
            "Only load checkpoints you trust; anyclr loads them without executing code. Delete the file or resume from another run.",
        ) from None
    if not isinstance(state, dict) or "epoch" not in state:
        raise AnyclrError(f"Checkpoint state {path} is not an anyclr training state (no 'epoch').")
    return state


def unpickling_reason(exc: BaseException) -> str:
    """Return why ``torch.load(weights_only=True)`` refused a file, in one line without terminal colour codes.

    torch's message wraps the reason in advice to load with ``weights_only=False`` (running the file's code),
    which anyclr must not pass on, and in some versions bold-face escape codes.
    """
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
    keep = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith(("Weights only load failed", "Check the documentation", "Please file an issue", "(1)", "(2)"))
    ]
    # "Please use torch.serialization.add_safe_globals(...)" is advice to trust the file: not ours to give.
    return keep[0].split(" Please use ", 1)[0] if keep else type(exc).__name__


def load(run_dir: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Return ``(weights, state)`` of a run's last checkpoint, checking both belong to the same epoch."""
    folder = checkpoint_dir(run_dir)
    weights_path, state_path = folder / WEIGHTS, folder / STATE
    weights = load_weights(weights_path)
    state = load_state(state_path)
    epoch = weights_epoch(weights_path)
    if epoch is not None and epoch != int(state["epoch"]):
        raise AnyclrError(
            f"Checkpoint files in {folder} disagree: weights are from epoch {epoch}, state from epoch {state['epoch']}.",
            "The run was interrupted while saving; it cannot be resumed exactly.",
        )
    return weights, state


def split_weights(weights: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """Return the entries under ``prefix.`` with the prefix removed."""
    cut = len(prefix) + 1
    return {k[cut:]: v for k, v in weights.items() if k.startswith(prefix + ".")}


def restore(module: nn.Module, weights: dict[str, torch.Tensor], prefix: str, source: str | Path) -> None:
    """Load ``prefix.*`` weights into ``module`` (strictly), naming the file on mismatch."""
    part = split_weights(weights, prefix)
    expected = module.state_dict()
    missing = [k for k in expected if k not in part]
    unexpected = [k for k in part if k not in expected]
    shapes = [f"{k} {list(part[k].shape)} vs {list(v.shape)}" for k, v in expected.items() if k in part and part[k].shape != v.shape]
    problems = [
        f"{label}: {', '.join(items[:4])}{' …' if len(items) > 4 else ''}"
        for label, items in (("missing", missing), ("unexpected", unexpected), ("different shapes (saved vs built)", shapes))
        if items
    ]
    try:
        module.load_state_dict(part, strict=True)
    except RuntimeError as exc:
        detail = "; ".join(problems) or str(exc).splitlines()[0]
        raise AnyclrError(
            f"Checkpoint {source} does not match the {prefix} built from the run's config.toml ({detail}).",
            "Was config.toml edited after training, or the plug-in that builds it updated since?",
        ) from None
