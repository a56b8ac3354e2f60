"""Recordings in class folders (``root/<class>/*.wav``) or listed in a CSV/Parquet manifest (path, label, start, end, group)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.files import FileTable, read_manifest, scan_class_folder
from anyclr.plugins.audio.datasets.bundle import audio_bundle, decoding, split_clips
from anyclr.plugins.audio.datasets.clips import clips
from anyclr.plugins.audio.datasets.decode import EXTENSIONS, ClipError, check_extension
from anyclr.plugins.audio.frontend import FrontEndSettings

log = logging.getLogger("anyclr.audio")


def audio_folder(
    path: str,
    test_path: str = "",
    test_fraction: float = 0.0,
    seconds: float = 1.0,
    sample_rate: int = 16000,
    channels: int = 0,
    crop: str = "centre",
    front_end: dict[str, Any] | None = None,
    max_bad_fraction: float = 0.0,
    seed: int = 0,
) -> DataBundle:
    """Audio files in class folders (root/<class>/*.wav|flac|ogg|mp3), decoded lazily to seconds-long segments at sample_rate.

    ``channels = 0`` mixes down to mono (else that many channels are kept); ``crop``: ``centre`` (one segment per
    clip) or ``tile`` (every segment); ``front_end``: log-mel settings shared by views and encoders (see
    ``anyclr show audio-logmel``); ``max_bad_fraction``: share of unusable files skipped with a warning.
    """
    table = scan_class_folder(path, EXTENSIONS, "audio file")
    _note_other_files(Path(path).expanduser())
    test_table = scan_class_folder(test_path, EXTENSIONS, "audio file", table.class_names) if test_path else None
    return _bundle(table, test_table, test_fraction, seconds, sample_rate, channels, crop, front_end, max_bad_fraction, seed)


def audio_manifest(
    path: str,
    test_path: str = "",
    test_fraction: float = 0.0,
    seconds: float = 1.0,
    sample_rate: int = 16000,
    channels: int = 0,
    crop: str = "centre",
    front_end: dict[str, Any] | None = None,
    max_bad_fraction: float = 0.0,
    seed: int = 0,
) -> DataBundle:
    """Audio clips listed in a CSV or Parquet manifest: path, label, optional start/end seconds and group (speaker …).

    Held-out splits (``test_fraction``, and evaluation's own when there is no test split) keep whole groups on
    one side. Other keys as for ``audio-folder``.
    """
    table = read_manifest(path)
    _check_formats(table)
    test_table = read_manifest(test_path, table.class_names) if test_path else None
    if test_table is not None:
        _check_formats(test_table)
    return _bundle(table, test_table, test_fraction, seconds, sample_rate, channels, crop, front_end, max_bad_fraction, seed)


def _bundle(
    table: FileTable, test_table: FileTable | None, test_fraction: float, seconds: float, sample_rate: int,
    channels: int, crop: str, front_end: dict[str, Any] | None, max_bad_fraction: float, seed: int,
) -> DataBundle:  # fmt: skip
    if test_table is not None and test_fraction:
        raise AnyclrError("Set data.test_path or data.test_fraction, not both.")
    settings = FrontEndSettings.of(front_end, int(sample_rate), "data.front_end")
    how = decoding(int(sample_rate), int(channels), float(seconds), settings)
    train = clips(table, how, crop)
    test = clips(test_table, how, crop) if test_table is not None else None
    if test is None:
        train, test = split_clips(train, float(test_fraction), seed)
    return audio_bundle(train, test, table.class_names, how, front_end, max_bad_fraction, seed, {"crop": crop})


def _check_formats(table: FileTable) -> None:
    """Raise for a manifest row naming a format the readers do not decode (before any training)."""
    for i, p in enumerate(table.paths):
        try:
            check_extension(p)
        except ClipError as exc:
            raise AnyclrError(f"{table.where(i)}: {exc}.", "Convert the file to WAV or FLAC, or drop the row.") from None


def _note_other_files(root: Path) -> None:
    """Warn about files in the class folders that are not audio the readers decode (they are left out)."""
    others = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() not in EXTENSIONS and not p.name.startswith(".")]
    if others:
        kinds = sorted({p.suffix.lower() or "(none)" for p in others})
        log.warning(
            "Left out %d file(s) in %s that are not WAV/FLAC/OGG/MP3 (%s; first: %s).", len(others), root, ", ".join(kinds[:5]), others[0]
        )
