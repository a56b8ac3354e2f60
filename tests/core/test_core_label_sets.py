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
