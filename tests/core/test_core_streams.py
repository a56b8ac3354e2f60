"""Data that does not fit in memory: labels as metadata (zero decodes), streams with max_steps, the split of a
stream across ranks × workers, its seeded shuffle, exact resume mid-stream, bounded evaluation, bad samples."""

from __future__ import annotations

import json
import logging

import pytest
import torch
from conftest import FAST, make_registry
from test_core_resume import Interrupt, StopAfter, weights
from tinyplug import TinyStream, tiny_dataset

from anyclr import api
from anyclr.core.data import DataBundle, TensorSamples
from anyclr.core.errors import AnyclrError
from anyclr.core.evaluation import eval_splits
from anyclr.core.hookspecs import hookimpl
from anyclr.core.stream import consumer_records, pass_records, stream_sample

STREAM = [*FAST, "data.name=\"tiny-stream\"", "trainer.batch_size=8", "trainer.max_steps=12", "trainer.epoch_steps=4"]


class CountingSamples(torch.utils.data.Dataset):
    """A map-style dataset that counts its decodes and declares its labels as metadata."""

    def __init__(self, n: int = 64) -> None:
        self.inner = tiny_dataset(n, test=False).train
        self.calls = 0

    def __len__(self) -> int:
        return len(self.inner)

    def __getitem__(self, idx):
        self.calls += 1
        return self.inner[idx]

    def sample_metadata(self):
        return {"label": self.inner.y}


class CountingPlugin:
    def __init__(self) -> None:
        self.train = CountingSamples(64)

    @hookimpl
    def anyclr_datasets(self):
        from anyclr.core.components import Component

        return [Component("counting", lambda: DataBundle(self.train, None, info={"in_channels": 8}))]


def test_building_the_run_and_its_splits_decodes_nothing(tmp_path):
    from anyclr.core.config import apply_overrides, load, resolve
    from anyclr.core.trainer import make_context

    plug = CountingPlugin()
    registry = make_registry(("counting", plug))
    _, cfg = load("tiny", registry)
    cfg = resolve(apply_overrides(cfg, ["data.name=\"counting\"", "trainer.knn_every=1"]))
    parts = api.build_parts(registry, cfg, 0)
    ctx = make_context(
        config=cfg, run_dir=tmp_path, recipe="tiny", registry=registry, data=parts.data, views=parts.views, encoder=parts.encoder,
        objective=parts.objective, device=torch.device("cpu"), amp_dtype=None, channels_last=False, log=None,
    )
    assert ctx.monitor is not None and len(ctx.monitor.held_out) > 0  # the monitor split was made …
    train, test = eval_splits(parts.data, seed=0, max_samples=40)
    assert len(train) + len(test) <= 64 and len(test) > 0  # … and the evaluation's held-out and capped splits …
    assert plug.train.calls == 0  # … without decoding a single sample


def test_a_stream_needs_max_steps(tmp_path):
    sets = [s for s in STREAM if not s.startswith("trainer.max_steps")]
    with pytest.raises(AnyclrError, match="stream") as err:
        api.train("tiny", sets, run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    assert "trainer.max_steps=" in err.value.hint


def test_a_stream_trains_for_max_steps_and_evaluates_on_a_bounded_sample(tmp_path):
    summary = api.train(
        "tiny", [*STREAM, "eval.protocols=[\"knn\"]", "eval.max_samples=20"], run_dir=tmp_path / "r", registry=make_registry(), progress=False
    )
    assert summary["steps"] == 12 and summary["epochs"] == 3
    assert summary["metrics"]["knn_top1"] > 0.5  # four well separated blobs
    assert any("seeded sample of 20" in n for n in summary["notes"])


def test_map_style_max_steps_cuts_the_last_epoch(tmp_path):
    summary = api.train("tiny", [*FAST, "trainer.max_steps=6"], run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    assert summary["steps"] == 6 and summary["epochs"] == 2  # 4 steps per epoch: 4 + 2


@pytest.mark.parametrize("consumers", [3, 8])  # by part (4 parts >= 3 readers) and by sample (4 parts < 8 readers)
def test_a_pass_gives_every_sample_to_exactly_one_reader(consumers):
    ds = TinyStream(64, parts=4)
    seen = [r for c in range(consumers) for r in pass_records(ds, seed=5, p=0, consumer=c, consumers=consumers)]
    assert sorted(seen) == list(range(64))


def test_the_shuffle_depends_on_seed_and_pass_only():
    ds = TinyStream(64, parts=4)

    def first(seed: int, n: int = 128) -> list[int]:
        it = consumer_records(ds, seed, 0, 1, shuffle_buffer=16)
        return [next(it)[1] for _ in range(n)]

    a, b = first(1), first(1)
    assert a == b and a != first(2)
    assert sorted(a[:64]) == list(range(64)) and sorted(a[64:]) == list(range(64))  # two passes, each complete
    assert a[:64] != a[64:]  # reshuffled per pass
    assert a[:64] != sorted(a[:64])


@pytest.mark.parametrize(("workers", "epoch_steps"), [(0, 4), (2, 4), (2, 3)])  # 3 steps per epoch: the next batch is worker 1's
def test_resume_mid_stream_matches_an_uninterrupted_run(tmp_path, workers, epoch_steps):
    sets = [*STREAM, f"trainer.num_workers={workers}", "trainer.persistent_workers=false", f"trainer.epoch_steps={epoch_steps}"]
    straight = api.train("tiny", sets, run_dir=tmp_path / "straight", registry=make_registry(), progress=False)
    with pytest.raises(Interrupt):
        api.train("tiny", sets, run_dir=tmp_path / "cut", registry=make_registry(("stop", StopAfter(2))), progress=False)
    resumed = api.train(resume=tmp_path / "cut", registry=make_registry(), progress=False)
    assert resumed["loss_history"] == straight["loss_history"] and resumed["steps"] == 12
    a, b = weights(tmp_path / "straight"), weights(tmp_path / "cut")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_position_is_saved_per_reader(tmp_path):
    from anyclr.core import checkpoint

    api.train("tiny", [*STREAM, "trainer.num_workers=2"], run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    _, state = checkpoint.load(tmp_path / "r")
    # 12 batches of 8 alternate between 2 readers: 48 records each, from 64 / 2 = 32 per pass: pass 1, 16 read
    assert state["stream_positions"] == [[[1, 16], [1, 16]]] and state["stream_batches"] == [12]


def test_resume_with_a_longer_budget_trains_to_it(tmp_path):
    api.train("tiny", [*FAST, "trainer.max_steps=6"], run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    summary = api.train(resume=tmp_path / "r", overrides=["trainer.max_steps=10"], registry=make_registry(), progress=False)
    assert summary["steps"] == 10
    stream = api.train("tiny", [*STREAM, "trainer.max_steps=4"], run_dir=tmp_path / "s", registry=make_registry(), progress=False)
    assert stream["steps"] == 4
    summary = api.train(resume=tmp_path / "s", overrides=["trainer.max_steps=10"], registry=make_registry(), progress=False)
    assert summary["steps"] == 10


class BadStreamPlugin:
    def __init__(self, bad: list[int], fraction: float) -> None:
        self.bad, self.fraction = bad, fraction

    @hookimpl
    def anyclr_datasets(self):
        from tinyplug import tiny_stream

        from anyclr.core.components import Component

        return [Component("bad-stream", lambda: tiny_stream(bad=self.bad, max_bad_fraction=self.fraction))]


def test_bad_records_are_skipped_named_and_counted(tmp_path, caplog):
    registry = make_registry(("bad", BadStreamPlugin([3, 17], 0.1)))
    with caplog.at_level(logging.WARNING, logger="anyclr.data"):
        summary = api.train("tiny", [*STREAM, "data.name=\"bad-stream\""], run_dir=tmp_path / "r", registry=registry, progress=False)
    assert "part-3, key 3: ValueError: corrupt record" in caplog.text
    assert summary["data"]["bad_samples"] >= 2 and summary["steps"] == 12
    assert any("could not be decoded" in n for n in summary["notes"])
    saved = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert saved["data"]["bad_samples"] == summary["data"]["bad_samples"]


def test_too_many_bad_records_stop_the_run_with_a_clear_error(tmp_path):
    registry = make_registry(("bad", BadStreamPlugin(list(range(0, 64, 2)), 0.1)))
    with pytest.raises(AnyclrError, match="could not be decoded") as err:
        api.train("tiny", [*STREAM, "data.name=\"bad-stream\""], run_dir=tmp_path / "r", registry=registry, progress=False)
    assert "data.max_bad_fraction" in str(err.value) and "First: part-0, key" in str(err.value)


def test_a_stream_without_labels_is_evaluated_with_a_note(tmp_path):
    ds = TinyStream(32)
    ds.data = TensorSamples(ds.data.x)  # labels unknown
    sample = stream_sample(ds, 16, seed=0)
    assert len(sample) == 16 and (sample.sample_metadata()["label"] == -1).all()
    notes: list[str] = []
    train, test = eval_splits(DataBundle(ds, None), seed=0, max_samples=16, notes=notes)
    assert len(train) + len(test) == 16 and any("no test split" in n for n in notes)


def test_an_empty_stream_is_a_clear_error(tmp_path):
    ds = TinyStream(0, parts=2)
    with pytest.raises(AnyclrError, match="holds no samples"):
        next(consumer_records(ds, 0, 0, 1, 4))


def test_the_warm_up_on_a_stream_is_a_part_of_the_run_not_all_of_it(tmp_path):
    from anyclr.core import checkpoint

    summary = api.train("tiny", [*STREAM, "trainer.max_steps=40", "trainer.epoch_steps=40", "trainer.log_every=1"],
                        run_dir=tmp_path / "r", registry=make_registry(), progress=False)
    lrs = [json.loads(line)["lr"] for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines() if '"kind": "step"' in line]
    assert summary["steps"] == 40 and lrs.index(max(lrs)) <= 5  # warm-up: a tenth of the run, then the cosine decay
    assert lrs[-1] < 0.2 * max(lrs)
    assert checkpoint.load(tmp_path / "r")[1]["step"] == 40
