"""Spoken digits "zero" … "nine" synthesised with espeak-ng over many voices, written as 16 kHz WAV files on first use.

A voice is an espeak-ng language voice with a voice variant (``en-us+m7``, ``de+f3``, ``en-gb-scotland+klatt`` …):
English accents and other languages' voices reading the English words. Each voice has its own base speed and
pitch and says every digit in ``renditions`` takes at varied speed and pitch, with a little background noise at a
random SNR. Files are cached per voice (``$ANYCLR_CACHE/espeak-digits-v1/<voice>-<settings>/``), so a larger
set reuses what a smaller one generated; a manifest (path, label, group = voice) lists the set and is read by
the same manifest reader as user data. The split is by voice: evaluation voices are never heard in training.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from anyclr.core.cache import cache_root, cached_folder
from anyclr.core.data import DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.files import read_manifest
from anyclr.plugins.audio.datasets.bundle import audio_bundle, decoding, split_clips
from anyclr.plugins.audio.datasets.clips import clips
from anyclr.plugins.audio.frontend import FrontEndSettings

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LANGUAGES = (
    "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
    "de", "nl", "fr-fr", "es", "it", "pt-br", "sv", "pl",
)  # fmt: skip
VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3", "croak",
    "Andy", "Annie", "Alicia", "Denis", "Diogo", "Gene", "Lee", "Mario", "Michael", "adam", "linda", "max", "paul",
    "rob", "steph", "zac",
)  # fmt: skip
VERSION = "espeak-digits-v1"
RATE = 16000
BREAK_MS = 500  # silence espeak-ng puts between the words of one take (SSML), where the take is cut
MARGIN = 0.03  # seconds kept before and after each word


def voice(i: int) -> str:
    """Return voice ``i`` (0 … 511, each a different language voice + variant pair)."""
    lang, q = i % len(LANGUAGES), i // len(LANGUAGES)
    return f"{LANGUAGES[lang]}+{VARIANTS[(7 * q + 5 * lang) % len(VARIANTS)]}"


def espeak() -> str:
    """Return the espeak-ng executable, or raise a clear error when it is not installed."""
    found = shutil.which("espeak-ng")
    if not found:
        raise AnyclrError(
            "The spoken-digits dataset is synthesised with espeak-ng, which is not installed.",
            "apt-get install espeak-ng (scripts/setup.sh installs it with the audio extra), or use data.name = \"audio-folder\".",
        )
    return found


def render(text: str, spec: str, speed: int, pitch: int, ssml: bool = False) -> tuple[np.ndarray, int]:
    """Return espeak-ng's rendering of ``text`` (float32 mono) and its sample rate."""
    import soundfile as sf

    args = [espeak(), "-v", spec, "-s", str(speed), "-p", str(pitch), "--stdout", *(["-m"] if ssml else []), text]
    done = subprocess.run(args, capture_output=True, timeout=60, check=False)
    if done.returncode or not done.stdout:
        raise AnyclrError(f"espeak-ng failed for voice {spec!r}: {done.stderr.decode(errors='replace').strip() or 'no audio'}.")
    data, rate = sf.read(io.BytesIO(done.stdout), dtype="float32")
    return data, int(rate)


def words_in(take: np.ndarray, rate: int, gap: float = 0.25, hop: float = 0.01, floor_db: float = -35.0) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of the voiced stretches of a take, split where it is quiet for more than ``gap`` seconds."""
    h = max(1, int(rate * hop))
    n = len(take) // h
    energy = np.sqrt((take[: n * h].reshape(n, h) ** 2).mean(1) + 1e-12)
    voiced = energy > energy.max() * 10 ** (floor_db / 20)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]])))
    spans: list[list[int]] = []
    for s, e in zip(edges[::2], edges[1::2], strict=True):
        if spans and s - spans[-1][1] < gap / hop:
            spans[-1][1] = int(e)
        else:
            spans.append([int(s), int(e)])
    return [(s * h, e * h) for s, e in spans]


def say_digits(spec: str, speed: int, pitch: int) -> tuple[list[np.ndarray], int]:
    """Return the ten words said by one voice: one espeak-ng call cut at its pauses (one call per word if cutting fails)."""
    pause = f' <break time="{BREAK_MS}ms"/> '
    take, rate = render("<speak>" + pause.join(WORDS) + "</speak>", spec, speed, pitch, ssml=True)
    spans = words_in(take, rate)
    margin = int(MARGIN * rate)
    if len(spans) == len(WORDS):
        return [take[max(0, s - margin) : e + margin] for s, e in spans], rate
    out = []
    for word in WORDS:
        alone, rate = render(word, spec, speed, pitch)
        s, e = words_in(alone, rate, gap=10.0)[0]
        out.append(alone[max(0, s - margin) : e + margin])
    return out, rate


def to_rate(wave: np.ndarray, rate: int, target: int, taps: int = 63) -> np.ndarray:
    """Resample espeak-ng's output to ``target`` Hz: a windowed-sinc low-pass below the new Nyquist, then linear
    interpolation (a few ms per word, where a general sinc resampler for 22,050 -> 16,000 Hz takes 15x longer)."""
    if rate == target:
        return wave.astype(np.float32)
    cutoff = 0.45 * min(rate, target) / rate  # cycles per input sample
    t = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * t) * np.hamming(taps)
    smooth = np.convolve(wave, kernel / kernel.sum(), mode="same")
    positions = np.arange(int(len(wave) * target / rate)) * (rate / target)
    return np.interp(positions, np.arange(len(wave)), smooth).astype(np.float32)


def build_voice(folder: Path, index: int, renditions: int, snr: tuple[float, float]) -> None:
    """Write ``<word>/<take>.wav`` for every take of voice ``index`` into ``folder`` (16 kHz, 16-bit)."""
    import soundfile as sf

    rng = np.random.default_rng([index, 2024])
    base_speed, base_pitch = rng.uniform(130, 190), rng.uniform(25, 75)
    for r in range(renditions):
        speed = int(np.clip(base_speed * rng.uniform(0.85, 1.15), 80, 260))
        pitch = int(np.clip(base_pitch + rng.uniform(-12, 12), 0, 99))
        said, rate = say_digits(voice(index), speed, pitch)
        for word, wave in zip(WORDS, said, strict=True):
            x = to_rate(wave, rate, RATE)
            rms = float(np.sqrt((x**2).mean())) + 1e-8
            x = x + rng.standard_normal(len(x)).astype(np.float32) * rms * 10 ** (-rng.uniform(*snr) / 20)
            (folder / word).mkdir(exist_ok=True)
            sf.write(str(folder / word / f"take{r}.wav"), np.clip(x, -1, 1), RATE, subtype="PCM_16")


def generate(voices: int, renditions: int, snr: tuple[float, float], workers: int = 0) -> Path:
    """Make sure every voice's files exist (generating the missing ones in parallel) and return the set's manifest."""
    espeak()
    key = hashlib.sha1(f"{renditions}-{snr[0]:g}-{snr[1]:g}".encode()).hexdigest()[:8]
    names = [f"{VERSION}/{voice(i).replace('+', '_')}-{key}" for i in range(voices)]
    workers = workers or min(8, 2 * (os.cpu_count() or 1))

    def ensure(i: int) -> Path:
        return cached_folder(names[i], lambda folder: build_voice(folder, i, renditions, snr))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        folders = list(pool.map(ensure, range(voices)))
    lines = ["path,label,group"]
    for i, folder in enumerate(folders):
        lines += [f"{folder / w / f'take{r}.wav'},{w},{voice(i)}" for w in WORDS for r in range(renditions)]
    manifest = cache_root() / VERSION / f"manifest-{voices}-{key}.csv"
    tmp = manifest.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, manifest)
    return manifest


def spoken_digits(
    voices: int = 48,
    renditions: int = 3,
    snr: list[float] | tuple[float, float] = (20.0, 40.0),
    test_fraction: float = 0.25,
    seconds: float = 0.75,
    sample_rate: int = 16000,
    front_end: dict[str, Any] | None = None,
    max_bad_fraction: float = 0.0,
    seed: int = 0,
) -> DataBundle:
    """Spoken digits synthesised with espeak-ng (voices x 10 digits x renditions WAV files), split by voice.

    Generated on first use into the cache (seconds; ``ANYCLR_CACHE`` sets where). ``voices``: how many
    language-voice/variant pairs (at most 512); ``renditions``: takes per digit and voice at varied speed and
    pitch; ``snr``: range of the added noise's signal-to-noise ratio in dB; ``test_fraction``: share of voices
    held out for evaluation; ``seconds``: segment length (the words last 0.2-0.95 s, 0.42 s at the median).
    """
    if not 2 <= voices <= len(LANGUAGES) * len(VARIANTS):
        raise AnyclrError(f"data.voices must be between 2 and {len(LANGUAGES) * len(VARIANTS)}, got {voices}.")
    if renditions < 1:
        raise AnyclrError(f"data.renditions must be at least 1, got {renditions}.")
    low, high = (float(v) for v in snr)
    manifest = generate(int(voices), int(renditions), (low, high))
    table = read_manifest(manifest)
    table.class_names = list(WORDS)
    table.labels = [WORDS.index(w) for w in (p.parent.name for p in table.paths)]
    settings = FrontEndSettings.of(front_end, int(sample_rate), "data.front_end")
    how = decoding(int(sample_rate), 0, float(seconds), settings)
    train, test = split_clips(clips(table, how), float(test_fraction), seed)
    return audio_bundle(train, test, list(WORDS), how, front_end, max_bad_fraction, seed, {"voices": int(voices), "manifest": str(manifest)})
