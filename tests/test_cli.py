import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from cli_helpers import install_fake_api, invoke, toy_registry

import anyclr
from anyclr.core.errors import AnyclrError


def test_version_and_help():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"anyclr {anyclr.__version__}"
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("train", "evaluate", "embed", "plugins", "components", "recipes", "show", "new-plugin"):
        assert command in result.stdout
    result = invoke("train", "--help")
    assert result.exit_code == 0
    for option in ("--set", "--device", "--run-dir", "--resume", "--seed", "--nproc"):
        assert option in result.stdout


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "anyclr", "--version"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"anyclr {anyclr.__version__}"


def test_main_entry_point(capsys, monkeypatch):
    from anyclr.cli import hoist_debug, main

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert anyclr.__version__ in capsys.readouterr().out
    # --debug also works after the command, where people add it when an error message asks for it.
    assert hoist_debug(["train", "x", "--debug"]) == ["--debug", "train", "x"]
    assert hoist_debug(["show", "--", "--debug"]) == ["show", "--", "--debug"]
    install_fake_api(monkeypatch).raises = RuntimeError("kaboom")
    with pytest.raises(SystemExit) as exc:
        main(["train", "--quiet", "--debug"])
    assert exc.value.code == 1 and "Traceback" in capsys.readouterr().err


# -- train / evaluate / embed call anyclr.api with the parsed arguments ------------------------------------------


def test_train_passes_arguments_to_the_api(monkeypatch, tmp_path):
    fake = install_fake_api(monkeypatch)
    result = invoke(
        "train", "toy.toml", "--set", "trainer.epochs=3", "-s", "objective.temperature=0.5",
        "--device", "cpu", "--run-dir", str(tmp_path / "run"), "--seed", "7", "--quiet",
    )
    assert result.exit_code == 0, result.output
    name, kwargs = fake.calls[-1]
    assert name == "train"
    assert kwargs == {
        "recipe": "toy.toml",
        "overrides": ("trainer.epochs=3", "objective.temperature=0.5"),
        "run_dir": tmp_path / "run",
        "resume": None,
        "overwrite": False,
        "seed": 7,
        "device": "cpu",
        "progress": False,
    }
    assert f"anyclr evaluate {tmp_path / 'run'}" in result.stdout
    assert invoke("train", "toy.toml", "--run-dir", str(tmp_path / "run"), "--overwrite").exit_code == 0
    assert fake.calls[-1][1]["overwrite"] is True


def test_train_defaults_and_resume(monkeypatch, tmp_path):
    fake = install_fake_api(monkeypatch)
    assert invoke("train").exit_code == 0
    assert fake.calls[-1][1]["recipe"] == "image-simclr" and fake.calls[-1][1]["progress"] is True
    # Resuming reuses the run's own recipe, so none is passed unless given.
    result = invoke("train", "--resume", str(tmp_path), "--set", "trainer.epochs=9")
    assert result.exit_code == 0, result.output
    assert "recipe" not in fake.calls[-1][1] and fake.calls[-1][1]["resume"] == tmp_path
    result = invoke("train", "--resume", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_train_nproc_goes_to_the_launcher(monkeypatch, tmp_path):
    fake = install_fake_api(monkeypatch)
    seen = {}

    def launch(argv, launch):
        seen.update(argv=argv, launch=launch)
        return 0

    monkeypatch.setattr("anyclr.cli.launch_distributed", launch)
    result = invoke("train", "toy-simclr", "--nproc", "4", "--set", "trainer.epochs=2", "--seed", "3", "--run-dir", str(tmp_path), "--overwrite")
    assert result.exit_code == 0, result.output
    assert seen["argv"] == ["train", "toy-simclr", "--set", "trainer.epochs=2", "--run-dir", str(tmp_path), "--seed", "3", "--overwrite"]
    assert seen["launch"].nproc == 4 and seen["launch"].launcher_args()[-1] == "--standalone"
    assert not fake.calls  # the launcher's processes train, not this one
    result = invoke("train", "toy-simclr", "--nproc", "2", "--nnodes", "2", "--rdzv-endpoint", "head:29400")
    assert result.exit_code == 0 and "--rdzv-endpoint=head:29400" in seen["launch"].launcher_args()
    assert "--nnodes=2" in seen["launch"].launcher_args()
    monkeypatch.setattr("anyclr.cli.launch_distributed", lambda argv, launch: 3)
    assert invoke("train", "--nproc", "2", "--quiet").exit_code == 3  # a failing rank's exit code is the CLI's
    assert invoke("train", "--nproc", "0").exit_code == 2


def test_evaluate_and_embed(monkeypatch, tmp_path):
    fake = install_fake_api(monkeypatch)
    result = invoke("evaluate", str(tmp_path), "--protocol", "knn")
    assert result.exit_code == 0, result.output
    assert fake.calls[-1] == ("evaluate", {"run_dir": tmp_path, "protocol": "knn", "print_table": True})
    assert "TABLE" in result.stdout
    result = invoke("evaluate", str(tmp_path), "--json")
    assert json.loads(result.stdout)["metrics"] == {"knn_top1": 0.5}
    assert fake.calls[-1][1]["protocol"] == "all"
    result = invoke("embed", str(tmp_path), "--data", "new/images", "--out", str(tmp_path / "e.parquet"), "--set", "data.image_size=16")
    assert result.exit_code == 0, result.output
    assert fake.calls[-1] == (
        "embed",
        {"run_dir": tmp_path, "out": tmp_path / "e.parquet", "data_path": "new/images", "overrides": ("data.image_size=16",), "encoder": None},
    )
    assert "e.parquet" in result.stdout
    assert invoke("evaluate", str(tmp_path / "nope")).exit_code == 2
    assert invoke("embed", str(tmp_path)).exit_code == 2  # --out is required (a usage error)


# -- error reporting ----------------------------------------------------------------------------------------------


def test_user_errors_exit_2_without_traceback(monkeypatch):
    fake = install_fake_api(monkeypatch)
    fake.raises = AnyclrError("Unknown key [trainer] 'epoch'.", "Did you mean: trainer.epochs?")
    result = invoke("train")
    assert result.exit_code == 2
    assert "Error: Unknown key [trainer] 'epoch'." in result.stderr  # brackets are not eaten as markup
    assert "Did you mean: trainer.epochs?" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    result = invoke("--debug", "train")
    assert result.exit_code == 2 and "Traceback" in result.stderr


def test_unexpected_errors_exit_1_and_debug_shows_the_traceback(monkeypatch):
    fake = install_fake_api(monkeypatch)
    fake.raises = RuntimeError("kaboom")
    result = invoke("train")
    assert result.exit_code == 1
    assert "RuntimeError: kaboom" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.stderr
    result = invoke("--debug", "train")
    assert result.exit_code == 1 and "Traceback" in result.stderr and "kaboom" in result.stderr
    assert invoke("train", env={"ANYCLR_DEBUG": "1"}).stderr.count("Traceback") == 1


def test_ctrl_c_exits_130(monkeypatch):
    fake = install_fake_api(monkeypatch)
    fake.raises = KeyboardInterrupt()
    result = invoke("train")
    assert result.exit_code == 130 and "Interrupted" in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_keep_click_behaviour():
    result = invoke("trian")
    assert result.exit_code == 2
    assert invoke("train", "--bogus").exit_code == 2


# -- listing commands ---------------------------------------------------------------------------------------------


def test_plugins_lists_builtin_plugins():
    result = invoke("plugins")
    assert result.exit_code == 0, result.output
    for name in ("heads", "objectives", "evaluators"):
        assert name in result.stdout
    rows = {r["name"]: r for r in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["heads"]["status"] == "ok" and rows["heads"]["distribution"] == "anyclr" and rows["heads"]["builtin"]
    assert rows["heads"]["notes"] == []


def test_components_filters_by_kind_and_modality(tmp_path):
    toy_registry(tmp_path)
    result = invoke("components")
    assert result.exit_code == 0, result.output
    assert "toy-mlp" in result.stdout and "mlp" in result.stdout and "hidden_dim=512" in result.stdout
    items = json.loads(invoke("components", "--kind", "encoder", "--json").stdout)
    assert {i["kind"] for i in items} == {"backbone", "head"}
    mlp = next(i for i in items if i["name"] == "mlp")
    params = {p["name"]: p for p in mlp["parameters"]}
    assert params["in_dim"]["required"] and params["hidden_dim"]["default"] == 512
    toy = {i["name"] for i in json.loads(invoke("components", "--modality", "toy", "--json").stdout)}
    assert {"toy-mlp", "toy-jitter", "toy-blobs", "toy-simclr", "mlp"} <= toy  # "any" modality always matches
    image_only = {i["name"] for i in json.loads(invoke("components", "--modality", "image", "--json").stdout)}
    assert "toy-mlp" not in image_only
    result = invoke("components", "--kind", "views")
    assert result.exit_code == 2 and "Did you mean: 'view'" in result.stderr


def test_recipes_and_show_recipe(tmp_path):
    toy_registry(tmp_path)
    result = invoke("recipes")
    assert result.exit_code == 0
    assert "toy-simclr" in result.stdout and "toy-blobs · toy-jitter · toy-mlp · ntxent" in result.stdout
    result = invoke("show", "toy-simclr", "--set", "trainer.epochs=5")
    assert result.exit_code == 0, result.output
    cfg = tomllib.loads(result.stdout)  # plain TOML, ready to save and edit
    assert cfg["trainer"]["epochs"] == 5 and cfg["trainer"]["lr"] == 1e-3  # defaults filled in
    assert cfg["encoder"]["head_out_dim"] == 8
    path = tmp_path / "toy-simclr.toml"
    assert tomllib.loads(invoke("show", str(path)).stdout)["data"]["name"] == "toy-blobs"
    result = invoke("show", "toy-simclr", "--set", "trainer.epoch=5")
    assert result.exit_code == 2 and "trainer.epochs" in result.stderr


def test_show_component_and_unknown_names(tmp_path):
    toy_registry(tmp_path)
    result = invoke("show", "mlp")
    assert result.exit_code == 0, result.output
    assert "A stack of ``layers`` Linear layers" in result.stdout
    assert 'head = "mlp"' in result.stdout and "head_hidden_dim = 512" in result.stdout
    result = invoke("show", "toy-jitter")
    assert "[views]" in result.stdout and 'name = "toy-jitter"' in result.stdout and "sigma = 0.1" in result.stdout
    result = invoke("show", "ntxnet")
    assert result.exit_code == 2 and "Unknown component or recipe 'ntxnet'" in result.stderr and "'ntxent'" in result.stderr
    result = invoke("show", "mlp", "--kind", "backbone")
    assert result.exit_code == 2 and "Unknown backbone 'mlp'" in result.stderr
    assert invoke("show", "mlp", "--set", "trainer.epochs=1").exit_code == 2


# -- new-plugin ---------------------------------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "anyclr-example-plugin"


def test_new_plugin_scaffolds_a_working_package(tmp_path, monkeypatch):
    result = invoke("new-plugin", "demo-aug", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / "anyclr-demo-aug-plugin"
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["anyclr"] == {"demo-aug": "anyclr_demo_aug_plugin.plugin"}
    assert (root / "anyclr_demo_aug_plugin" / "recipes" / "demo-aug-digits.toml").is_file()
    assert (root / "tests" / "test_plugin.py").is_file()

    # Import it as the entry point would, and register it.
    import importlib

    import torch

    from anyclr.core.build import call_factory
    from anyclr.core.config import loads, resolve
    from anyclr.core.registry import Registry

    monkeypatch.syspath_prepend(str(root))
    plugin = importlib.import_module("anyclr_demo_aug_plugin.plugin")
    registry = Registry(extra_plugins=[("demo-aug", plugin)])
    recipe = registry.recipe("demo-aug-digits")
    cfg = resolve(loads(recipe.text()))
    info = {"in_channels": 1, "image_size": 8}
    views = call_factory(registry, "view", "views", cfg["views"], info)
    images = torch.randint(0, 256, (16, 1, 8, 8), dtype=torch.uint8)
    first, second = views(images)
    assert first.dtype == torch.float32 and first.shape == images.shape and not torch.equal(first, second)
    backbone = call_factory(registry, "backbone", "encoder", {k: v for k, v in cfg["encoder"].items() if not k.startswith("head")}, info)
    assert backbone(images).shape == (16, backbone.out_dim)
    assert registry.has("objective", cfg["objective"]["name"])

    # Refuses to overwrite, and rejects names that make bad package names.
    again = invoke("new-plugin", "demo-aug", "--dir", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.stderr
    bad = invoke("new-plugin", "My_Plugin!", "--dir", str(tmp_path))
    assert bad.exit_code == 2 and "not valid" in bad.stderr


def test_example_plugin_is_the_scaffold_output():
    """examples/anyclr-example-plugin is `anyclr new-plugin example --dir examples`; regenerate it after template edits."""
    from anyclr.cli_scaffold import render

    expected = render("example")
    actual = {
        str(p.relative_to(EXAMPLE)): p.read_text()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p) and ".pytest_cache" not in p.parts
    }
    assert actual == expected


def test_train_evaluate_embed_end_to_end(tmp_path):
    """The real API behind the CLI, on a toy plug-in that trains in about a second."""
    import numpy as np

    toy_registry(tmp_path)
    run = tmp_path / "run"
    result = invoke("train", "toy-simclr", "--run-dir", str(run), "--seed", "1", "--quiet")
    assert result.exit_code == 0, (result.output, result.exception)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["recipe"] == "toy-simclr" and summary["metrics"]["knn_top1"] > 0.9  # four well-separated blobs
    assert f"anyclr evaluate {run}" in result.stdout
    result = invoke("evaluate", str(run), "--protocol", "knn", "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads(result.stdout)["metrics"]["knn_top1"] == pytest.approx(summary["metrics"]["knn_top1"])
    result = invoke("embed", str(run), "--out", str(tmp_path / "emb.npy"))
    assert result.exit_code == 0, (result.output, result.exception)
    assert np.load(tmp_path / "emb.npy").shape == (96 + 32, 12)  # train then test split, backbone width
    result = invoke("embed", str(run), "--out", str(tmp_path / "emb.csv"))
    assert result.exit_code == 2 and ".npy or .parquet" in result.stderr


def test_show_prefers_the_recipe_when_a_component_shares_its_name():
    from anyclr.core.registry import get_registry

    registry = get_registry()
    if not (registry.has("recipe", "image-simclr") and registry.has("view", "image-simclr")):
        pytest.skip("needs the image plug-in")
    result = invoke("show", "image-simclr")
    assert result.exit_code == 0, result.output
    assert tomllib.loads(result.stdout)["views"]["name"] == "image-simclr"
    assert "also a view: anyclr show image-simclr --kind view" in result.stderr
    result = invoke("show", "image-simclr", "--kind", "view")
    assert result.exit_code == 0 and 'name = "image-simclr"' in result.stdout and "parameters" in result.stdout
