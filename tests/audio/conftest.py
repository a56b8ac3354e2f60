"""Shared by the audio tests: a registry with the audio plug-in, a small spoken-digits set in a session cache,
and a helper that writes WAV files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import anyclr.plugins.audio.plugin
from anyclr.core.registry import Registry

pytest.importorskip("torchaudio")
pytest.importorskip("soundfile")


def audio_registry() -> Registry:
    """The installed plug-ins plus the audio plug-in (registered in-process until its entry point is installed)."""
    registry = Registry()
    if "spoken-digits" in {c.name for c in registry.components("dataset")}:
        return registry
    return Registry(extra_plugins=[("audio", anyclr.plugins.audio.plugin)])


@pytest.fixture(scope="session")
def registry() -> Registry:
    return audio_registry()


@pytest.fixture(scope="session")
def digits_cache(tmp_path_factory) -> Path:
    """A cache folder holding a small spoken-digits set (8 voices, 1 take), generated once per session."""
    from anyclr.plugins.audio.datasets.spoken_digits import espeak, generate

    try:
        espeak()
    except Exception:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    cache = tmp_path_factory.mktemp("anyclr-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("ANYCLR_CACHE", str(cache))
    generate(8, 1, (20.0, 40.0))
    mp.undo()
    return cache


@pytest.fixture
def digits_env(digits_cache, monkeypatch) -> Path:
    """Point ANYCLR_CACHE at the session's spoken-digits cache for one test."""
    monkeypatch.setenv("ANYCLR_CACHE", str(digits_cache))
    return digits_cache


def tone(seconds: float = 0.5, rate: int = 16000, freq: float = 440.0, channels: int = 1, amplitude: float = 0.5) -> np.ndarray:
    """A sine tone ``[T, C]`` (channel k at ``freq * (k + 1)``)."""
    t = np.arange(int(seconds * rate)) / rate
    return np.stack([amplitude * np.sin(2 * np.pi * freq * (k + 1) * t) for k in range(channels)], axis=1).astype(np.float32)


def write(path: Path, data: np.ndarray, rate: int = 16000, subtype: str | None = None) -> Path:
    """Write ``data`` ``[T, C]`` as an audio file (format from the suffix)."""
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), data, rate, subtype=subtype)
    return path
