"""Audio readers: class folders and manifests, decoding (mono mix, channels, resampling, segments, tiles), and
every kind of bad input named by file and row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from anyclr.core.data import BadSample, DataHealth, iter_batches
from anyclr.core.errors import AnyclrError
from anyclr.plugins.audio.datasets.folder import audio_folder, audio_manifest
from anyclr.plugins.audio.waves import lengths

from .conftest import tone, write

KNOWN = {"front_end": {"mean": 0.0, "std": 1.0}}  # skip measuring statistics where a test does not need them


def folder(tmp_path: Path, n: int = 3) -> Path:
    root = tmp_path / "clips"
    for label, freq in (("high", 880.0), ("low", 220.0)):
        for i in range(n):
            write(root / label / f"{i}.wav", tone(0.3 + 0.2 * i, freq=freq))
    return root


def test_folder_reads_classes_and_pads_short_clips_with_nan(tmp_path):
    bundle = audio_folder(str(folder(tmp_path)), seconds=0.5)
    assert bundle.info["class_names"] == ["high", "low"] and bundle.info["sample_rate"] == 16000
    assert bundle.info["modality"] == "audio" and bundle.info["codec"] == "audio-flac" and "MFCC" in bundle.info["raw_features"]
    labels = bundle.labels("train").tolist()
    assert labels == [0, 0, 0, 1, 1, 1]
    x, y = bundle.train[0]
    assert x.shape == (1, 8000) and y == 0 and int(lengths(x.unsqueeze(0))[0]) == 4800  # 0.3 s, then NaN
    longer, _ = bundle.train[2]  # 0.7 s: its centred 0.5 s
    assert not bool(torch.isnan(longer).any())
    # front-end statistics were measured on the clips: standardised log-mel has mean 0 and std 1 there
    fe = bundle.info["front_end"]
    assert fe["std"] > 0.5 and fe["mean"] != 0.0


def test_resampling_mono_mix_and_kept_channels(tmp_path):
    stereo = tone(0.5, rate=44100, channels=2)
    write(tmp_path / "a" / "x" / "s.flac", stereo, rate=44100)
    mono = audio_folder(str(tmp_path / "a"), seconds=0.5, **KNOWN)
    x, _ = mono.train[0]
    assert x.shape == (1, 8000) and mono.info["in_channels"] == 1
    kept = audio_folder(str(tmp_path / "a"), seconds=0.5, channels=2, **KNOWN)
    y, _ = kept.train[0]
    assert y.shape == (2, 8000) and kept.info["in_channels"] == 2
    torch.testing.assert_close(x[0], y.mean(0), atol=1e-5, rtol=0)  # the mono mix is the channels' mean
    # 440 Hz survives resampling from 44.1 kHz: the spectrum peaks there
    spectrum = torch.fft.rfft(y[0]).abs()
    assert abs(int(spectrum.argmax()) * 16000 / 8000 - 440) <= 2


def test_manifest_with_start_end_and_groups_splits_by_group(tmp_path):
    files = [write(tmp_path / f"{i}.wav", tone(1.0, freq=200.0 + 100 * i)) for i in range(8)]
    rows = ["path,label,start,end,group"] + [f"{f.name},{'ab'[i % 2]},0.2,0.6,spk{i // 2}" for i, f in enumerate(files)]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    bundle = audio_manifest(str(tmp_path / "m.csv"), seconds=0.5, test_fraction=0.25, **KNOWN)
    train_groups = set(bundle.train.groups.tolist())
    test_groups = set(bundle.test.groups.tolist())
    assert train_groups and test_groups and not train_groups & test_groups
    x, _ = bundle.train[0]
    assert int(lengths(x.unsqueeze(0))[0]) == 6400  # 0.2 … 0.6 s: 0.4 s of the file


def test_tiles_cover_long_clips_and_keep_them_in_one_group(tmp_path):
    write(tmp_path / "t" / "a" / "long.wav", tone(2.6))
    write(tmp_path / "t" / "a" / "longish.wav", tone(2.3))
    write(tmp_path / "t" / "a" / "short.wav", tone(0.2))
    bundle = audio_folder(str(tmp_path / "t"), seconds=1.0, crop="tile", **KNOWN)
    meta = bundle.train.sample_metadata()
    # long: 1 + 1 + 0.6 s (at least half a segment: kept); longish: 1 + 1 (+ 0.3 s: dropped); short: its only tile
    assert meta["id"].tolist() == [0, 0, 0, 1, 1, 2]
    assert meta["group"].tolist() == [0, 0, 0, 1, 1, 2]  # tiles of one clip: one group
    last, _ = bundle.train[2]
    assert int(lengths(last.unsqueeze(0))[0]) == int(0.6 * 16000)


def test_mp3_ogg_and_flac_decode(tmp_path):
    from anyclr.plugins.audio.datasets.decode import mp3_readable

    write(tmp_path / "f" / "a" / "x.flac", tone(0.4))
    write(tmp_path / "f" / "a" / "y.ogg", tone(0.4))
    if mp3_readable():
        write(tmp_path / "f" / "a" / "z.mp3", tone(0.4))
    bundle = audio_folder(str(tmp_path / "f"), seconds=0.5, **KNOWN)
    for i in range(len(bundle.train)):
        x, _ = bundle.train[i]
        assert not isinstance(x, BadSample) and int(lengths(x.unsqueeze(0))[0]) >= 6000


BAD = {
    "truncated.wav": "truncated",
    "corrupt.wav": "cannot be read",
    "empty.wav": "zero length",
    "silent.wav": "silent",
    "nan.wav": "NaN or infinite",
    "low.wav": "below twice the mel bank's top frequency",
}


def bad_files(root: Path) -> None:
    good = write(root / "a" / "good.wav", tone(0.5))
    data = good.read_bytes()
    (root / "a" / "truncated.wav").write_bytes(data[: len(data) // 2])
    (root / "a" / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 4)
    write(root / "a" / "empty.wav", np.zeros((0, 1), np.float32))
    write(root / "a" / "silent.wav", np.zeros((8000, 1), np.float32))
    nan = tone(0.5)
    nan[100] = np.nan
    write(root / "a" / "nan.wav", nan, subtype="FLOAT")
    write(root / "a" / "low.wav", tone(0.5, rate=8000), rate=8000)


@pytest.mark.parametrize("name", BAD)
def test_each_bad_file_is_a_bad_sample_naming_it(tmp_path, name):
    bad_files(tmp_path)
    bundle = audio_folder(str(tmp_path), seconds=0.5, **KNOWN)
    index = [Path(p).name for p in bundle.train.paths].index(name)
    sample = bundle.train[index]
    assert isinstance(sample, BadSample), name
    assert name in sample.where and BAD[name] in sample.reason


def test_bad_files_stop_the_run_naming_the_first_or_are_skipped_within_max_bad_fraction(tmp_path):
    bad_files(tmp_path)
    for i in range(60):
        write(tmp_path / "b" / f"{i}.wav", tone(0.3, freq=300 + i))
    bundle = audio_folder(str(tmp_path), seconds=0.5, **KNOWN)
    strict = DataHealth(0.0)
    with pytest.raises(AnyclrError, match=r"(?s)could not be decoded.*corrupt\.wav: cannot be read.*data.max_bad_fraction"):
        for _ in iter_batches(bundle.train, 16, health=strict):
            pass
        strict.check()
    lenient = DataHealth(0.2)
    kept = sum(len(y) for _, y in iter_batches(bundle.train, 16, health=lenient))
    lenient.check()
    assert kept == 61 and lenient.bad == 6


def test_manifest_errors_name_the_row(tmp_path):
    write(tmp_path / "ok.wav", tone(0.5))
    (tmp_path / "missing.csv").write_text("path,label\nok.wav,a\nnot-there.wav,b\n")
    with pytest.raises(AnyclrError, match=r"missing.csv, row 3: file .*not-there.wav does not exist"):
        audio_manifest(str(tmp_path / "missing.csv"))
    (tmp_path / "x.aiffz").write_bytes(b"0")
    (tmp_path / "format.csv").write_text("path,label\nok.wav,a\nx.aiffz,b\n")
    with pytest.raises(AnyclrError, match=r"format.csv, row 3\): unsupported format '.aiffz'"):
        audio_manifest(str(tmp_path / "format.csv"))
    (tmp_path / "past.csv").write_text("path,label,start,end\nok.wav,a,0.1,0.3\nok.wav,b,0.7,0.9\nok.wav,a,0.1,0.9\n")
    bundle = audio_manifest(str(tmp_path / "past.csv"), seconds=0.5, **KNOWN)
    starts_late, ends_late = bundle.train[1], bundle.train[2]
    assert isinstance(starts_late, BadSample) and "past.csv, row 3" in starts_late.where and "start = 0.7 s is past the clip's end (0.500 s)" in starts_late.reason
    assert isinstance(ends_late, BadSample) and "row 4" in ends_late.where and "end = 0.9 s is past the clip's end" in ends_late.reason


def test_settings_errors_are_clear(tmp_path):
    root = folder(tmp_path)
    with pytest.raises(AnyclrError, match=r"(?s)sample rate 8000 Hz is below twice the mel bank's top frequency data.front_end.f_max = 7800.*f_max to at most 4000"):
        audio_folder(str(root), sample_rate=8000)
    with pytest.raises(AnyclrError, match=r"(?s)Unknown key in data.front_end: 'n_mel'.*n_mels"):
        audio_folder(str(root), front_end={"n_mel": 40})
    with pytest.raises(AnyclrError, match="data.crop must be one of centre, tile"):
        audio_folder(str(root), crop="random")
    ok = audio_folder(str(root), sample_rate=8000, front_end={"f_max": 3800.0})
    assert ok.info["front_end"]["f_max"] == 3800.0


def test_other_files_in_class_folders_are_named_in_a_warning(tmp_path, caplog):
    root = folder(tmp_path)
    (root / "high" / "notes.m4a").write_bytes(b"0")
    with caplog.at_level("WARNING", logger="anyclr.audio"):
        audio_folder(str(root), **KNOWN)
    assert "not WAV/FLAC/OGG/MP3 (.m4a" in caplog.text
