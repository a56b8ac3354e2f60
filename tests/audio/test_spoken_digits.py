"""The bundled espeak-ng spoken digits: real 16 kHz WAV files, cached per voice, split by voice."""

from __future__ import annotations

import soundfile as sf

from anyclr.plugins.audio.datasets import spoken_digits as sd
from anyclr.plugins.audio.waves import lengths


def test_voices_are_distinct_language_voice_and_variant_pairs():
    voices = [sd.voice(i) for i in range(len(sd.LANGUAGES) * len(sd.VARIANTS))]
    assert len(set(voices)) == len(voices) and voices[0] == "en-us+m1"
    assert {v.split("+")[0] for v in voices[:16]} == set(sd.LANGUAGES)


def test_generated_set_is_real_wav_files_split_by_voice(digits_env):
    bundle = sd.spoken_digits(voices=8, renditions=1, test_fraction=0.25)
    assert len(bundle.train) + len(bundle.test) == 80 and bundle.info["class_names"][3] == "three"
    train_voices = {bundle.train.group_names[g] for g in bundle.train.groups.tolist()}
    test_voices = {bundle.test.group_names[g] for g in bundle.test.groups.tolist()}
    assert len(test_voices) == 2 and not train_voices & test_voices  # evaluation voices are never heard in training
    info = sf.info(bundle.train.paths[0])
    assert info.samplerate == 16000 and info.subtype == "PCM_16" and 0.15 < info.duration < 1.2
    labels = bundle.labels("train")
    assert sorted(set(labels.tolist())) == list(range(10))
    x, y = bundle.train[0]
    assert x.shape == (1, 12000) and 0 < int(lengths(x.unsqueeze(0))[0]) <= 12000
    # each take is one word: the ten words of a voice differ in length
    durations = {sf.info(bundle.train.paths[i]).duration for i in range(10)}
    assert len(durations) > 5


def test_cached_voices_are_reused_and_a_larger_set_only_adds_voices(digits_env):
    first = sd.generate(8, 1, (20.0, 40.0))
    stamp = {p: p.stat().st_mtime_ns for p in digits_env.rglob("*.wav")}
    again = sd.generate(8, 1, (20.0, 40.0))
    assert again == first and {p: p.stat().st_mtime_ns for p in stamp} == stamp
    sd.generate(9, 1, (20.0, 40.0))
    added = [p for p in digits_env.rglob("*.wav") if p not in stamp]
    assert len(added) == 10 and all(sd.voice(8).replace("+", "_") in str(p) for p in added)


def test_words_are_found_between_pauses():
    import numpy as np

    rate = 1000
    take = np.zeros(3000, np.float32)
    take[100:400] = 0.5  # a word
    take[450:500] = 0.5  # its second syllable, after a short closure
    take[1200:1500] = 0.3  # the next word, after a long pause
    assert sd.words_in(take, rate) == [(100, 500), (1200, 1500)]


def test_missing_espeak_is_a_clear_error(monkeypatch):
    import pytest

    from anyclr.core.errors import AnyclrError

    monkeypatch.setattr(sd.shutil, "which", lambda name: None)
    with pytest.raises(AnyclrError, match="(?s)espeak-ng, which is not installed.*apt-get install espeak-ng"):
        sd.spoken_digits(voices=4)
