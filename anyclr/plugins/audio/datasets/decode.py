"""Decoding one clip with soundfile: checks, channel mix, resampling, and the window a sample covers.

Every way a file can be unusable (unreadable, truncated, empty, silent, NaN or inf samples, an unsupported
format, a start or end past its end, a sample rate too low for the mel bank) raises :class:`ClipError` with a
reason a person can act on; datasets turn it into a :class:`~anyclr.core.data.BadSample` naming file and row.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
SILENCE = 1e-7  # a clip whose every sample is below this (in full scale) is silent
TRUNCATED = re.compile(r"data\s*:\s*(\d+)\s*\(should be (\d+)\)")  # libsndfile's note on a cut data chunk


class ClipError(Exception):
    """A clip that cannot be used, with the reason."""


@dataclass(frozen=True)
class Window:
    """Which part of a file one sample covers: ``start``/``end`` seconds of the clip (None: its whole extent),
    and ``offset`` seconds into that clip where the sample's segment starts (None: the segment is centred)."""

    start: float | None = None
    end: float | None = None
    offset: float | None = None


@dataclass(frozen=True)
class Decoding:
    """How clips become samples: the sample rate, channels (0 mixes down to mono), segment length, and the
    lowest file sample rate accepted (twice the mel bank's top frequency)."""

    sample_rate: int = 16000
    channels: int = 0
    seconds: float = 1.0
    min_file_rate: float = 0.0

    @property
    def samples(self) -> int:
        """Samples in one segment."""
        return int(round(self.seconds * self.sample_rate))


def check_extension(path: Path | str) -> None:
    """Raise :class:`ClipError` for a file format soundfile is not asked to read."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ClipError(f"unsupported format {suffix or '(no extension)'!r} (readable: {', '.join(e[1:].upper() for e in EXTENSIONS)})")
    if suffix == ".mp3" and not mp3_readable():
        raise ClipError("MP3 needs libsndfile 1.1 or newer, and this soundfile's has no MP3 decoder (convert the file to FLAC)")


def mp3_readable() -> bool:
    """Return True when soundfile's libsndfile can decode MP3."""
    import soundfile as sf

    return "MP3" in sf.available_formats()


def file_duration(path: Path | str) -> float:
    """Return a file's duration in seconds from its header (nothing decoded)."""
    import soundfile as sf

    check_extension(path)
    try:
        info = sf.info(str(path))
    except Exception as exc:  # libsndfile raises LibsndfileError/RuntimeError for bad files
        raise ClipError(f"cannot be read ({_reason(exc)})") from None
    return info.frames / info.samplerate if info.samplerate else 0.0


def decode(path: Path | str, window: Window, how: Decoding) -> torch.Tensor:
    """Return the sample of ``path`` that ``window`` covers: float32 ``[C, segment]``, NaN after a short clip's end."""
    import soundfile as sf

    check_extension(path)
    try:
        info = sf.info(str(path))
    except Exception as exc:
        raise ClipError(f"cannot be read ({_reason(exc)})") from None
    rate, total = int(info.samplerate), int(info.frames)
    short = TRUNCATED.search(info.extra_info or "")
    if short:  # libsndfile reads a cut WAV/AIFF as a shorter file; its log says the data chunk promised more
        raise ClipError(f"is truncated: its header promises {short.group(1)} bytes of audio, the file holds {short.group(2)}")
    if total <= 0:
        raise ClipError("has no samples (zero length)")
    if how.min_file_rate and rate < how.min_file_rate:
        raise ClipError(
            f"is sampled at {rate} Hz, below twice the mel bank's top frequency ({how.min_file_rate / 2:g} Hz): its upper bands would be empty "
            f"(lower data.front_end.f_max to at most {rate / 2:g})"
        )
    first, last = _clip_frames(window, rate, total)
    first, last = _segment_frames(window, first, last, rate, how.seconds)
    try:
        data = sf.read(str(path), start=first, stop=last, dtype="float32", always_2d=True)[0]
    except Exception as exc:
        raise ClipError(f"cannot be decoded ({_reason(exc)})") from None
    if len(data) < last - first:
        raise ClipError(f"is truncated: its header promises {total} samples but reading stopped at {first + len(data)}")
    if not len(data):
        raise ClipError("has no samples in the requested part")
    if not np.isfinite(data).all():
        raise ClipError("holds NaN or infinite samples")
    wave = torch.from_numpy(np.ascontiguousarray(data.T))
    wave = _channels(wave, how.channels)
    if float(wave.abs().max()) < SILENCE:
        raise ClipError("is silent (every sample is 0)")
    wave = resample(wave, rate, how.sample_rate)
    from anyclr.plugins.audio.waves import pad_to

    return pad_to(wave, how.samples).contiguous()


def resample(wave: torch.Tensor, rate: int, target: int) -> torch.Tensor:
    """Return ``wave`` ``[..., T]`` resampled from ``rate`` to ``target`` Hz (torchaudio's sinc filter, built once per pair)."""
    if rate == target:
        return wave
    return _resampler(int(rate), int(target))(wave)


@functools.lru_cache(maxsize=16)
def _resampler(rate: int, target: int) -> torch.nn.Module:
    import torchaudio

    return torchaudio.transforms.Resample(rate, target)


def _clip_frames(window: Window, rate: int, total: int) -> tuple[int, int]:
    """Return the clip's first and last frame (exclusive) in the file, checking start/end against its length."""
    duration = total / rate
    tolerance = 1.0 / rate  # rounding of a stated end that is the file's end
    first = 0 if window.start is None else int(round(window.start * rate))
    last = total if window.end is None else int(round(window.end * rate))
    if window.start is not None and first >= total:
        raise ClipError(f"start = {window.start:g} s is past the clip's end ({duration:.3f} s)")
    if window.end is not None and window.end > duration + tolerance:
        raise ClipError(f"end = {window.end:g} s is past the clip's end ({duration:.3f} s)")
    return first, min(last, total)


def _segment_frames(window: Window, first: int, last: int, rate: int, seconds: float) -> tuple[int, int]:
    """Return the file frames of the sample's segment inside the clip ``[first, last)``: centred, or at ``offset``."""
    want = int(math.ceil(seconds * rate))
    if last - first <= want:
        return first, last
    if window.offset is None:
        begin = first + (last - first - want) // 2
    else:
        begin = min(first + int(round(window.offset * rate)), last - 1)
    return begin, min(begin + want, last)


def _channels(wave: torch.Tensor, channels: int) -> torch.Tensor:
    """Mix ``[C, T]`` down to mono (``channels = 0``) or keep ``channels`` of them (a mono file is repeated)."""
    if channels <= 0:
        return wave.mean(0, keepdim=True)
    if wave.shape[0] == 1:
        return wave.expand(channels, -1).contiguous()
    if wave.shape[0] < channels:
        raise ClipError(f"has {wave.shape[0]} channels, fewer than data.channels = {channels}")
    return wave[:channels]


def _reason(exc: Exception) -> str:
    text = str(exc).strip().replace("\n", " ")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
