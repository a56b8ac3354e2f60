"""A third-party plug-in, installed the way a user installs one, shows up in the CLI and trains.

The plug-in is examples/anyclr-example-plugin (the output of `anyclr new-plugin example --dir examples`).
"""

import importlib.metadata as md
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import invoke

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "anyclr-example-plugin"
DIST = "anyclr-example-plugin"

pytestmark = pytest.mark.slow


def installed_from_example() -> bool:
    """Return True if the example is already installed in editable mode from this checkout."""
    try:
        direct = md.distribution(DIST).read_text("direct_url.json") or "{}"
    except md.PackageNotFoundError:
        return False
    url = json.loads(direct).get("url", "")
    return url.rstrip("/").endswith(EXAMPLE.as_posix()) and json.loads(direct).get("dir_info", {}).get("editable", False)


@pytest.fixture(scope="module")
def example_installed():
    """pip-install the example (editable, offline); a no-op when it is already installed from here."""
    if not installed_from_example():
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(EXAMPLE)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        importlib.invalidate_caches()
    assert installed_from_example()


@pytest.fixture
def importable(monkeypatch, example_installed):
    # An editable install is activated by a .pth file, which only a new interpreter reads.
    monkeypatch.syspath_prepend(str(EXAMPLE))


def test_fresh_interpreter_discovers_the_plugin(example_installed):
    out = subprocess.run([sys.executable, "-m", "anyclr", "plugins", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["example"] == {
        "name": "example", "version": "0.1.0", "distribution": DIST, "status": "ok", "reason": "", "builtin": False, "notes": [],
    }
    assert rows["image"]["builtin"] and rows["image"]["distribution"] == "anyclr"


def test_cli_lists_and_shows_its_components(importable):
    result = invoke("plugins")
    assert result.exit_code == 0 and DIST in result.stdout
    items = {(i["kind"], i["name"]): i for i in json.loads(invoke("components", "--json").stdout)}
    assert items[("view", "example-noise")]["plugin"] == "example"
    assert items[("backbone", "example-mlp")]["modality"] == "image"
    assert items[("recipe", "example-digits")]["plugin"] == "example"
    result = invoke("components", "--kind", "view")
    assert "example-noise" in result.stdout and "noise_std=0.1" in result.stdout
    result = invoke("show", "example-noise")
    assert result.exit_code == 0 and "Add Gaussian noise" in result.stdout
    # Declared by import string: listed and shown above without importing its module.
    from anyclr.core.registry import get_registry

    view = get_registry().get("view", "example-noise")
    assert not view.loaded and view.target == "anyclr_example_plugin.noise_erase:NoiseErase"
    assert view.factory.__name__ == "NoiseErase" and view.loaded
    assert 'name = "example-noise"' in invoke("show", "example-digits").stdout


def test_its_own_tests_pass(importable):
    spec = importlib.util.spec_from_file_location("example_plugin_tests", EXAMPLE / "tests" / "test_plugin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = [getattr(module, n) for n in dir(module) if n.startswith("test_")]
    assert len(tests) == 5
    for test in tests:
        test()


def test_its_recipe_trains_for_one_epoch(importable, tmp_path):
    run = tmp_path / "run"
    result = invoke(
        "train", "example-digits", "--run-dir", str(run), "--quiet",
        "--set", "trainer.epochs=1", "--set", "trainer.threads=1", "--set", "trainer.knn_every=0",
        "--set", "eval.baselines=[]", "--set", "eval.plots=false",
    )
    assert result.exit_code == 0, (result.output, result.exception)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["recipe"] == "example-digits" and summary["epochs"] == 1
    assert summary["metrics"]["knn_top1"] > 0.3  # 10 classes; even one epoch beats chance by far
