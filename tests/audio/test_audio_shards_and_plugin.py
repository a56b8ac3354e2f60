"""Audio in shards (the FLAC codec), the plug-in's lazy listing, and the recipes end to end on a tiny set."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from anyclr import api
from anyclr.core.components import Component, factory_parameters
from anyclr.core.introspect import read_signature
from anyclr.core.registry import set_registry
from anyclr.plugins.audio.datasets.codec import audio_codec
from anyclr.shards.reader import shards


def test_flac_codec_round_trip_keeps_the_padding():
    codec = audio_codec(16000)
    wave = 0.5 * torch.sin(torch.arange(8000) * 0.05).view(1, -1).repeat(2, 1)
    wave[:, 5000:] = float("nan")
    members = codec.encode(wave)
    assert set(members) == {"flac", "samples.txt"} and len(members["flac"]) < wave.numel() * 4
    back = codec.decode(members)
    assert back.shape == (2, 8000) and torch.equal(torch.isnan(back), torch.isnan(wave))
    torch.testing.assert_close(back.nan_to_num(), wave.nan_to_num(), atol=2e-7, rtol=0)  # 24-bit
    loud = 4 * wave
    assert set(codec.encode(loud)) == {"npy"} and torch.equal(codec.decode(codec.encode(loud)).nan_to_num(), loud.nan_to_num())


def test_spoken_digits_to_shards_and_back(tmp_path, digits_env, registry):
    set_registry(registry)
    result = api.shard("spoken-digits", tmp_path / "s", samples_per_shard=40, overrides=["data.voices=8", "data.renditions=1"], progress=False)
    assert result["codec"] == "audio-flac" and result["splits"]["train"]["samples"] == 60
    bundle = shards(str(tmp_path / "s"))
    assert bundle.info["sample_rate"] == 16000 and bundle.info["front_end"]["n_mels"] == 64
    read = list(bundle.train)
    original = registry.get("dataset", "spoken-digits").factory(voices=8, renditions=1)
    x, y = read[0][:2]  # (input, label, metadata): the voice (group) travels with each sample
    torch.testing.assert_close(x.nan_to_num(), original.train[0][0].nan_to_num(), atol=1e-4, rtol=0)
    assert y == original.train[0][1]
    assert "group" in read[0][2]
    feats = bundle.raw_features(torch.stack([s[0] for s in read[:4]]))
    assert feats.shape == (4, 80)


def test_listing_imports_nothing_heavy():
    code = (
        "import sys; import anyclr.plugins.audio.plugin as p; "
        "[c.parameters() for hook in (p.anyclr_views, p.anyclr_augmentations, p.anyclr_backbones, p.anyclr_heads, p.anyclr_objectives, p.anyclr_datasets, p.anyclr_codecs) for c in hook()]; "
        "print(sorted(m for m in ('torch', 'torchaudio', 'soundfile', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_every_audio_factory_is_read_from_source_exactly():
    import anyclr.plugins.audio.plugin as p

    components = [c for hook in (p.anyclr_views, p.anyclr_augmentations, p.anyclr_backbones, p.anyclr_heads, p.anyclr_objectives, p.anyclr_datasets, p.anyclr_codecs) for c in hook()]
    assert len(components) == 23 and all(isinstance(c, Component) for c in components)
    for c in components:
        source = read_signature(c.target)
        assert source is not None, c.target
        factory = c.load()
        assert source.parameters == factory_parameters(factory), c.target


TINY = [
    "data.voices=8", "data.renditions=1", "trainer.max_steps=2", "trainer.batch_size=16", "trainer.threads=1",
    "encoder.width=8", "encoder.dim=32", 'eval.protocols=["knn"]', "eval.plots=false",
]  # fmt: skip


@pytest.mark.parametrize("recipe", ["audio-byola", "audio-cola", "audio-simclr"])
def test_recipes_train_and_evaluate_against_both_baselines(recipe, tmp_path, digits_env, registry):
    summary = api.train(recipe, TINY, run_dir=tmp_path / "run", progress=False, print_table=False, registry=registry)
    assert summary["steps"] == 2 and torch.isfinite(torch.tensor(summary["final_loss"]))
    assert set(summary["baselines"]) == {"random_init", "raw_input"}
    assert summary["metrics"]["knn_top1"] > 0.1 and summary["baselines"]["raw_input"]["knn_top1"] > 0.3  # 10 digits: chance 0.1
