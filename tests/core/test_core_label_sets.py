"""Datasets with more than one label (appearance and motion, age group and churn): each is evaluated separately."""

from __future__ import annotations

from conftest import FAST, make_registry
from tinyplug import tiny_dataset

from anyclr import api
from anyclr.core.components import Component
from anyclr.core.data import DataBundle, TensorSamples
from anyclr.core.hookspecs import hookimpl


class TwoLabels:
    """The tiny blobs, with a second label ``coarse`` (blob // 2) declared as metadata."""

    @hookimpl
    def anyclr_datasets(self):
        def make() -> DataBundle:
            base = tiny_dataset()

            def add(ds: TensorSamples) -> TensorSamples:
                return TensorSamples(ds.x, ds.y, {"coarse": ds.y // 2})

            return DataBundle(add(base.train), add(base.test), info={**base.info, "extra_labels": ["coarse"]})

        return [Component("two-labels", make)]


def test_every_label_column_gets_its_own_metrics(tmp_path):
    sets = [*FAST, "data.name=\"two-labels\"", "eval.protocols=[\"knn\", \"feature_std\"]", "eval.baselines=[\"raw_input\"]", "trainer.epochs=2"]
    summary = api.train("tiny", sets, run_dir=tmp_path / "r", registry=make_registry(("two", TwoLabels())), progress=False)
    metrics = summary["metrics"]
    assert {"knn_top1", "coarse/knn_top1", "feature_std"} <= set(metrics)
    assert "coarse/feature_std" not in metrics  # a label-free metric is reported once
    raw = summary["baselines"]["raw_input"]
    assert raw["knn_top1"] > 0.9 and raw["coarse/knn_top1"] > 0.9  # well separated blobs: both labels are easy from raw input


def test_the_summary_says_when_learning_did_not_help():
    from rich.console import Console

    from anyclr.core.evaluation import results_table, verdict

    summary = {
        "metrics": {"knn_top1": 0.70, "rankme": 30.0},
        "baselines": {"random_init": {"knn_top1": 0.75, "rankme": 10.0}, "raw_input": {"knn_top1": 0.65}},
    }
    judged = verdict(summary)
    assert judged["learned"] == {
        "metric": "knn_top1", "learned": 0.70, "random_init": 0.75, "beats_random_init": False, "raw_input": 0.65, "beats_raw_input": True,
    }  # fmt: skip
    assert judged["notes"] == ["learning did not help: knn_top1 0.7000 vs 0.7500 for the same encoder at random initialisation"]
    console = Console(width=120, record=True)
    console.print(results_table(summary))
    text = console.export_text()
    assert "0.7000 ▼" in text and "▼ below the same encoder at random" in text
    summary["metrics"]["knn_top1"] = 0.8
    assert verdict(summary)["notes"] == [] and "▼" not in str(results_table(summary).columns[1]._cells)
