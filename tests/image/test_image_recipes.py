"""Image recipes: every file parses, names registered components, and its keys fit their factories."""

from __future__ import annotations

from pathlib import Path

import pytest

import anyclr.plugins.image.plugin as image_plugin
from anyclr.core.build import build_dataset, build_encoder, build_objective, build_views
from anyclr.core.components import accepts_any_keyword
from anyclr.core.config import loads, resolve
from anyclr.core.errors import closest
from anyclr.core.registry import get_registry

RECIPE_FILES = sorted(image_plugin.RECIPES.glob("*.toml"))
SECTION_KIND = {"data": "dataset", "views": "view", "objective": "objective"}


def test_every_recipe_file_is_registered() -> None:
    names = {r.name for r in image_plugin.anyclr_recipes()}
    assert {"image-simclr", "image-fashion-mnist"} <= names
    assert names == {p.stem for p in RECIPE_FILES}  # other plug-in authors drop files here too
    assert get_registry().recipe("image-simclr").modality == "image"


@pytest.mark.parametrize("path", RECIPE_FILES, ids=lambda p: p.stem)
def test_recipe_references_existing_components(path: Path) -> None:
    registry = get_registry()
    cfg = resolve(loads(path.read_text(), str(path)))
    assert cfg.get("description") and cfg.get("modality") == "image"
    for section, kind in SECTION_KIND.items():
        check_keys(registry, kind, section, cfg[section])
    encoder = dict(cfg["encoder"])
    head = {
        "name": encoder.pop("head", "mlp"),
        **{k[5:]: encoder.pop(k) for k in list(encoder) if k.startswith("head_")},
    }
    check_keys(registry, "backbone", "encoder", encoder)
    check_keys(registry, "head", "encoder", head)


def check_keys(registry, kind: str, section: str, params: dict) -> None:
    component = registry.get(kind, params["name"])
    if accepts_any_keyword(component.factory):
        return
    accepted = component.parameters()
    unknown = [k for k in params if k != "name" and k not in accepted]
    assert not unknown, (
        f"[{section}] {unknown} not parameters of {kind} {params['name']!r} (near: {closest(unknown[0], accepted)})"
    )


def test_default_recipe_builds() -> None:
    """The default recipe's parts build for real (digits ship with scikit-learn)."""
    registry = get_registry()
    cfg = resolve(loads(registry.recipe("image-simclr").text()))
    data = build_dataset(registry, cfg)
    views = build_views(registry, cfg, data.info)
    encoder = build_encoder(registry, cfg, data.info)
    objective = build_objective(registry, cfg, data.info, encoder)
    inputs, _ = data.train.take(data.train.y.new_tensor(range(8)))
    loss = objective.training_step(views(inputs), encoder)
    assert loss.ndim == 0 and loss.isfinite()


def test_tiny_end_to_end_run(tmp_path: Path) -> None:
    """A few steps of the default recipe through anyclr.train, with evaluation and baselines."""
    import anyclr

    overrides = [
        "data.image_size=8",
        "encoder.width=4",
        "encoder.head_hidden_dim=16",
        "encoder.head_out_dim=8",
        "trainer.epochs=1",
        "trainer.batch_size=32",
        "trainer.max_steps_per_epoch=2",
        "trainer.threads=1",
        'eval.protocols=["knn"]',
        "eval.plots=false",
    ]
    summary = anyclr.train("image-simclr", overrides, run_dir=tmp_path / "run", progress=False)
    assert summary["steps"] == 2
    assert {"random_init", "raw_input"} <= set(summary["baselines"])
    # The reported kNN accuracy is the kNN protocol on the trained backbone's features of this run.
    import numpy as np

    from anyclr.core.build import build_dataset
    from anyclr.evaluators.knn import knn

    data = build_dataset(get_registry(), summary["config"])
    x = np.load(anyclr.embed(tmp_path / "run", tmp_path / "z.npy"))
    n = len(data.train)
    expected = knn(device="cpu")(x[:n], data.labels("train").numpy(), x[n:], data.labels("test").numpy())
    assert summary["metrics"]["knn_top1"] == pytest.approx(expected["knn_top1"])
    assert summary["baselines"]["raw_input"]["knn_top1"] > 0.9  # 8x8 digits: pixels alone separate the classes
