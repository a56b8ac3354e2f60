"""Clips listed in a :class:`~anyclr.core.files.FileTable`, decoded one by one on demand (in DataLoader workers).

Each sample is a fixed-length segment of a clip (``data.seconds``): the centred segment of a longer clip, or
with ``data.crop = "tile"`` every consecutive segment of it (tiles of one clip share its group, so a split
never puts them on both sides). Random segments for training are drawn by the views (``audio-random-crop``),
seeded per step like every other augmentation, so runs reproduce and resume exactly and evaluation always
sees the same segments.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from anyclr.core.data import BadSample
from anyclr.core.errors import AnyclrError
from anyclr.core.files import FileTable
from anyclr.plugins.audio.datasets.decode import ClipError, Decoding, Window, decode, file_duration

CROPS = ("centre", "tile")
MIN_TILE = 0.5  # a last tile shorter than this share of a segment is dropped (unless it is the clip's only one)


class AudioClips(torch.utils.data.Dataset):
    """Segments of audio files: ``[C, samples]`` float32 with NaN after a short clip's end; labels and groups known up front.

    Attributes are plain lists and arrays (cheap to pickle to worker processes).
    """

    def __init__(self, table: FileTable, how: Decoding, windows: list[Window] | None = None, rows: list[int] | None = None) -> None:
        self.how = how
        self.paths = [str(p) for p in table.paths]
        self.where_rows = list(table.rows) if table.rows else [""] * len(table)
        self.rows = list(range(len(table))) if rows is None else list(rows)  # the table row of each sample
        self.windows = windows if windows is not None else [_clip_window(table, i) for i in self.rows]
        self.labels = torch.tensor([table.labels[i] for i in self.rows], dtype=torch.long)
        names = table.groups if table.groups is not None else None
        self.group_names = sorted(set(names)) if names is not None else []
        codes = {g: k for k, g in enumerate(self.group_names)}
        self.groups = torch.tensor([codes[names[i]] for i in self.rows], dtype=torch.long) if names is not None else None

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, idx: int) -> str:
        """Name sample ``idx`` for a message: its file, and its manifest row when it came from one."""
        row = self.rows[idx]
        listed = self.where_rows[row]
        return f"{self.paths[row]} ({listed})" if listed else self.paths[row]

    def __getitem__(self, idx: int) -> tuple[torch.Tensor, int] | BadSample:
        row = self.rows[idx]
        try:
            wave = decode(self.paths[row], self.windows[idx], self.how)
        except ClipError as exc:
            return BadSample(self.where(idx), str(exc))
        except Exception as exc:  # decoders raise many types for damaged files; report them all the same way
            return BadSample(self.where(idx), f"cannot be decoded ({type(exc).__name__}: {exc})")
        return wave, int(self.labels[idx])

    def sample_metadata(self) -> dict[str, Any]:
        """Return labels, the ``group`` of each sample (speaker, voice, or the clip for tiles) and its clip ``id``."""
        meta: dict[str, Any] = {"label": self.labels, "id": torch.tensor(self.rows, dtype=torch.long)}
        if self.groups is not None:
            meta["group"] = self.groups
        return meta

    def subset(self, idx: torch.Tensor | list[int]) -> AudioClips:
        """Return the samples at ``idx``."""
        pick = [int(i) for i in (idx.tolist() if isinstance(idx, torch.Tensor) else idx)]
        out = AudioClips.__new__(AudioClips)
        out.how, out.paths, out.where_rows, out.group_names = self.how, self.paths, self.where_rows, self.group_names
        out.rows = [self.rows[i] for i in pick]
        out.windows = [self.windows[i] for i in pick]
        out.labels = self.labels[pick]
        out.groups = self.groups[pick] if self.groups is not None else None
        return out


def _clip_window(table: FileTable, i: int) -> Window:
    start = table.starts[i] if table.starts is not None else None
    end = table.ends[i] if table.ends is not None else None
    return Window(start, end)


def clips(table: FileTable, how: Decoding, crop: str = "centre") -> AudioClips:
    """Return the samples of ``table``: one centred segment per clip, or every tile of it (``crop = "tile"``)."""
    if crop not in CROPS:
        raise AnyclrError(f"data.crop must be one of {', '.join(CROPS)}, got {crop!r}.")
    if crop == "centre":
        return AudioClips(table, how)
    return tiled(table, how)


def tiled(table: FileTable, how: Decoding) -> AudioClips:
    """Cut every clip into consecutive segments (durations from the files' headers; an unreadable file keeps one
    sample, which then reports why it is bad). Tiles carry their clip's group, or the clip itself as the group."""
    windows: list[Window] = []
    rows: list[int] = []
    for i in range(len(table)):
        base = _clip_window(table, i)
        try:
            length = (base.end if base.end is not None else file_duration(table.paths[i])) - (base.start or 0.0)
        except ClipError:
            length = 0.0
        count = max(1, math.floor(length / how.seconds) + (length % how.seconds >= MIN_TILE * how.seconds))
        for k in range(count):
            windows.append(Window(base.start, base.end, k * how.seconds))
            rows.append(i)
    if table.groups is None:  # tiles of one clip must stay together: the clip is their group
        table = FileTable(table.paths, table.labels, table.class_names, table.starts, table.ends, [str(p) for p in table.paths], table.rows)
    return AudioClips(table, how, windows, rows)


def group_codes(ds: AudioClips) -> np.ndarray | None:
    """Return the samples' group codes (for splitting by group), or None when the table has no groups."""
    return None if ds.groups is None else ds.groups.numpy()
