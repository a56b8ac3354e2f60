"""Sharded datasets through WebDataset: `anyclr shard` writes any registered dataset, `data.name = "shards"` trains on
it as a stream; patterns, pipe: URLs, truncated and corrupt shards."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest
import torch
from cli_helpers import invoke

from anyclr import api
from anyclr.core.data import BadSample
from anyclr.core.errors import AnyclrError
from anyclr.core.registry import get_registry
from anyclr.shards.reader import shards


@pytest.fixture(scope="module")
def digit_shards(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digits") / "shards"
    result = api.shard("digits", out, samples_per_shard=500, progress=False)
    assert result["splits"]["train"] == {"samples": 1347, "shards": 3, "bytes": result["splits"]["train"]["bytes"]}
    assert result["splits"]["test"]["samples"] == 450 and result["codec"] == "image-png"
    return out


def test_shards_read_back_the_same_samples_with_the_dataset_info(digit_shards):
    bundle = shards(str(digit_shards))
    original = get_registry().get("dataset", "digits").factory()
    assert bundle.streaming and len(bundle.train.parts()) == 3 and len(bundle.test.parts()) == 1
    assert bundle.info["in_channels"] == 1 and bundle.info["class_names"] == original.info["class_names"]
    read = [s for s in bundle.train]  # one ordered pass, decoded
    assert len(read) == 1347 and not any(isinstance(s, BadSample) for s in read)
    assert all(torch.equal(s[0], original.train[i][0]) and s[1] == original.train[i][1] for i, s in enumerate(read[:50]))
    ids = original.train.sample_metadata()["id"]
    assert [s[2]["id"] for s in read[:5]] == ids[:5].tolist()  # per-sample metadata travels in meta.json


def test_brace_patterns_globs_and_pipe_urls(digit_shards):
    two = shards(str(digit_shards / "train-{000000..000001}.tar"))
    assert len(two.train.parts()) == 2 and two.test is None
    assert len(shards(str(digit_shards / "train-*.tar")).train.parts()) == 3
    piped = shards(f"pipe:cat {digit_shards}/train-{{000000..000001}}.tar")
    assert sum(1 for _ in piped.train) == 1000


def test_a_pattern_that_matches_no_file_names_it(tmp_path, digit_shards):
    with pytest.raises(AnyclrError, match=r"train-000003\.tar does not exist \(7 of 10 missing\)"):
        shards(str(digit_shards / "train-{000000..000009}.tar"))
    with pytest.raises(AnyclrError, match="No shard matches"):
        shards(str(tmp_path))


def shard_recipe(tmp_path: Path, path: Path, **data: object) -> Path:
    """image-simclr as a tiny recipe reading shards."""
    text = get_registry().recipe("image-simclr").text()
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in data.items())
    text = re.sub(r"\[data\][^\[]*", f'[data]\nname = "shards"\npath = "{path}"\n{extra}\n', text)
    recipe = tmp_path / "shards.toml"
    recipe.write_text(text)
    return recipe


TINY = [
    "trainer.max_steps=4", "trainer.epoch_steps=2", "trainer.batch_size=32", "encoder.width=4", "trainer.threads=1",
    "eval.protocols=[\"knn\"]", "eval.baselines=[]", "eval.plots=false", "eval.max_samples=200", "trainer.knn_every=0",
]  # fmt: skip


def test_training_from_shards(tmp_path, digit_shards):
    summary = api.train(str(shard_recipe(tmp_path, digit_shards)), TINY, run_dir=tmp_path / "run", progress=False, print_table=False)
    assert summary["steps"] == 4 and summary["metrics"]["knn_top1"] > 0.2  # 10 classes: chance is 0.1
    assert summary["data"]["bad_samples"] == 0


def truncated_copy(src: Path, dst_dir: Path, keep: float = 0.5) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    data = src.read_bytes()
    dst = dst_dir / "train-000000.tar"
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def test_a_truncated_shard_is_skipped_with_a_warning_naming_shard_and_key(tmp_path, digit_shards):
    broken = truncated_copy(digit_shards / "train-000000.tar", tmp_path / "cut")
    records = list(shards(str(broken)).train.read(0))
    bad = [r for r in records if isinstance(r, BadSample)]
    assert len(bad) == 1 and str(broken) in bad[0].where and "after key" in bad[0].where
    assert 100 < len(records) - 1 < 500  # the samples before the cut are still read


def corrupt_member_shard(src: Path, dst_dir: Path) -> Path:
    """Copy a shard, replacing the PNG of its fifth sample with garbage."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / "train-000000.tar"
    with tarfile.open(src) as tin, tarfile.open(dst, "w") as tout:
        for member in tin:
            data = tin.extractfile(member).read()
            if member.name == "000000004.png":
                data = b"not a png at all"
                member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
    return dst


def test_a_corrupt_member_is_named_and_counted_and_too_many_stop_the_run(tmp_path, digit_shards):
    folder = corrupt_member_shard(digit_shards / "train-000000.tar", tmp_path / "bad").parent
    decoded = list(shards(str(folder)).train)
    bad = [s for s in decoded if isinstance(s, BadSample)]
    assert len(bad) == 1 and "train-000000.tar, key 000000004" in bad[0].where and "UnidentifiedImageError" in bad[0].reason
    recipe = shard_recipe(tmp_path, folder, max_bad_fraction=0.05)
    summary = api.train(str(recipe), TINY, run_dir=tmp_path / "ok", progress=False, print_table=False)
    assert summary["steps"] == 4
    strict = shard_recipe(tmp_path, folder, max_bad_fraction=0.0)
    with pytest.raises(AnyclrError, match="could not be decoded") as err:
        api.train(str(strict), [*TINY, "trainer.max_steps=40", "trainer.epoch_steps=20"], run_dir=tmp_path / "strict", progress=False)
    assert "key 000000004" in str(err.value)
    assert (tmp_path / "strict" / "config.toml").is_file()  # what was written stays


def test_graph_shards_round_trip(tmp_path):
    out = tmp_path / "mutag"
    api.shard("tu", out, samples_per_shard=100, progress=False)
    original = get_registry().get("dataset", "tu").factory()
    bundle = shards(str(out))
    read = list(bundle.train)
    assert len(read) == 188 and bundle.info["codec"] == "graph"
    g, label = read[7][:2]
    assert torch.equal(g.x, original.train[7][0].x) and torch.equal(g.edge_index, original.train[7][0].edge_index)
    assert label == original.train[7][1]
    batch, labels = bundle.collate(read[:4])
    assert batch.num_graphs == 4 and labels.tolist() == [r[1] for r in read[:4]]


def test_shard_cli_refuses_a_folder_with_shards_and_non_data_overrides(tmp_path, digit_shards):
    result = invoke("shard", "digits", str(digit_shards), "--quiet")
    assert result.exit_code == 2 and "already holds" in result.stderr
    result = invoke("shard", "digits", str(tmp_path / "x"), "--set", "trainer.epochs=2")
    assert result.exit_code == 2 and "data.*" in result.stderr
    result = invoke("shard", "digits", str(tmp_path / "y"), "-n", "1000", "--quiet", "--set", "data.test_fraction=0.5")
    assert result.exit_code == 0 and "train" in result.stdout and sorted(p.name for p in (tmp_path / "y").iterdir()) == [
        "test-000000.tar", "train-000000.tar",
    ]  # fmt: skip


class SomeBad(torch.utils.data.Dataset):
    """200 small tensors, every 40th undecodable (2.5%)."""

    def __len__(self):
        return 200

    def __getitem__(self, i):
        from anyclr.core.data import BadSample

        return BadSample(f"item {i}", "corrupt") if i % 40 == 0 else (torch.full((3,), float(i)), i % 2)

    def sample_metadata(self):
        return {"label": torch.arange(200) % 2}


def test_the_writer_counts_bad_samples_against_the_limit_and_leaves_nothing_on_failure(tmp_path):
    from anyclr.core.data import DataBundle
    from anyclr.shards.writer import write_shards

    ok = write_shards(DataBundle(SomeBad(), max_bad_fraction=0.05), tmp_path / "ok", 50, progress=False)
    assert ok["samples"] == 195 and ok["bad_samples"] == 5 and ok["splits"]["train"]["shards"] == 4
    with pytest.raises(AnyclrError, match=r"\d+ of \d+ samples read so far could not be decoded"):
        write_shards(DataBundle(SomeBad(), max_bad_fraction=0.0), tmp_path / "strict", 50, progress=False)
    assert not list((tmp_path / "strict").iterdir())  # no half-written or finished shard stays behind
