"""Plug-in discovery and containment: broken plug-ins, name clashes and failing hooks are reported, never fatal."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from cli_helpers import invoke, toy_registry

from anyclr.core.components import Component
from anyclr.core.errors import AnyclrError
from anyclr.core.hookspecs import hookimpl
from anyclr.core.registry import Registry, loaded_registry

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "anyclr-example-plugin"


def fake_distribution(root, dist_name, entry_point, module, source):
    """Make ``root`` look like site-packages holding a distribution whose anyclr entry point is ``module``."""
    info = root / f"{dist_name.replace('-', '_')}-0.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: 0.3\n")
    (info / "entry_points.txt").write_text(f"[anyclr]\n{entry_point} = {module}\n")
    (root / f"{module}.py").write_text(source)


def test_plugin_whose_import_raises_is_listed_as_broken(tmp_path, monkeypatch):
    fake_distribution(tmp_path, "anyclr-exploding", "exploding", "anyclr_exploding_fixture", "raise RuntimeError('no GPU driver found')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = invoke("plugins")
    assert result.exit_code == 0, result.output
    assert "exploding" in result.stdout and "broken" in result.stdout
    assert "RuntimeError: no GPU driver found" in result.stdout
    rows = {r["name"]: r for r in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["exploding"]["status"] == "broken" and rows["exploding"]["distribution"] == "anyclr-exploding"
    assert rows["exploding"]["version"] == "0.3" and rows["heads"]["status"] == "ok"
    # The other commands keep working ...
    assert invoke("--help").exit_code == 0
    result = invoke("components", "--kind", "head")
    assert result.exit_code == 0 and "mlp" in result.stdout
    assert invoke("show", "mlp").exit_code == 0
    # ... and an unknown name points at the broken plug-in as a possible cause.
    result = invoke("show", "exploding-view")
    assert result.exit_code == 2 and "exploding" in result.stderr and "anyclr plugins" in result.stderr


def test_plugin_whose_hook_raises_is_listed_as_broken(tmp_path, monkeypatch):
    source = (
        "from anyclr.core.components import Component\n"
        "from anyclr.core.hookspecs import hookimpl\n\n"
        "@hookimpl\n"
        "def anyclr_views():\n"
        "    raise ValueError('missing optional dependency foo')\n\n"
        "@hookimpl\n"
        "def anyclr_heads():\n"
        "    return [Component('hooky-head', 'anyclr.heads.linear:LinearHead')]\n"
    )
    fake_distribution(tmp_path, "anyclr-hooky", "hooky", "anyclr_hooky_fixture", source)
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = {r["name"]: r for r in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["hooky"]["status"] == "broken"
    assert "anyclr_views raised ValueError: missing optional dependency foo" in rows["hooky"]["reason"]
    result = invoke("components", "--kind", "head")
    assert result.exit_code == 0 and "mlp" in result.stdout
    assert "hooky-head" not in result.stdout  # a broken plug-in contributes nothing, not half of its components


class CommandPlugin:
    @hookimpl
    def anyclr_cli(self, app: typer.Typer) -> None:
        @app.command("hello")
        def hello(name: str = "world") -> None:
            """Say hello (added by a plug-in)."""
            typer.echo(f"hello {name}")

        @app.command("fail")
        def fail() -> None:
            """Fail like a user error."""
            raise AnyclrError("Plug-in command got bad input.", "Try again.")


class BrokenCommandPlugin:
    @hookimpl
    def anyclr_cli(self, app: typer.Typer) -> None:
        raise ImportError("rich-extras is not installed")

    @hookimpl
    def anyclr_views(self) -> list[Component]:
        return []


def test_plugins_add_commands_and_a_failing_hook_is_not_fatal(tmp_path, capsys):
    registry = toy_registry(tmp_path, ("greeter", CommandPlugin()), ("badcli", BrokenCommandPlugin()))
    result = invoke("--help", registry=registry)
    assert result.exit_code == 0 and "hello" in result.stdout
    # The app is built (and the warning printed) before the test runner captures the command's output.
    warning = capsys.readouterr().err
    assert "Warning: plug-in 'badcli' failed: anyclr_cli raised ImportError: rich-extras is not installed." in warning
    assert registry.plugin("badcli").status == "broken" and registry.plugin("greeter").status == "ok"
    result = invoke("hello", "--name", "anyclr", registry=registry)
    assert result.exit_code == 0 and result.stdout.strip() == "hello anyclr"
    result = invoke("fail", registry=registry)
    assert result.exit_code == 2 and "Error: Plug-in command got bad input." in result.stderr
    assert invoke("plugins", registry=registry).exit_code == 0


def test_cli_commands_come_from_the_process_registry(tmp_path):
    """The CLI has no plug-in loader of its own: its commands come from the registry every command uses."""
    registry = toy_registry(tmp_path, ("greeter", CommandPlugin()))
    result = invoke("--help")  # no registry passed: the process-wide one
    assert result.exit_code == 0 and "hello" in result.stdout
    assert loaded_registry() is registry


# -- (a) a third-party plug-in named like a built-in loads beside it, never in its place ---------------------------

IMAGE_IMPOSTOR = '''
from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


def views(n_views: int = 2):
    """Impostor views."""


@hookimpl
def anyclr_views():
    return [Component("image-simclr", views), Component("impostor-views", views)]
'''


def test_third_party_plugin_named_like_a_builtin_does_not_replace_it(tmp_path, monkeypatch, capsys):
    fake_distribution(tmp_path, "anyclr-image-plugin", "image", "anyclr_impostor_fixture", IMAGE_IMPOSTOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    warning = capsys.readouterr().err
    assert "plug-in 'image' of anyclr-image-plugin: its entry point 'image' clashes with the built-in plug-in" in warning
    builtin, other = registry.plugin("image"), registry.plugin("anyclr-image-plugin:image")
    assert (builtin.builtin, builtin.distribution, builtin.status) == (True, "anyclr", "ok")
    assert (other.builtin, other.distribution, other.status) == (False, "anyclr-image-plugin", "ok")
    # The built-in keeps its components; the other one's are there, a clashing one under its qualified name.
    assert registry.get("view", "image-simclr").plugin == "image"
    assert registry.get("view", "impostor-views").plugin == "anyclr-image-plugin:image"
    assert registry.get("view", "anyclr-image-plugin:image:image-simclr").describe() == "Impostor views."
    rows = {r["name"]: r for r in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["image"]["builtin"] and not rows["anyclr-image-plugin:image"]["builtin"]
    assert any("loaded as 'anyclr-image-plugin:image'" in note for note in rows["anyclr-image-plugin:image"]["notes"])


def test_new_plugin_refuses_a_builtin_name(tmp_path):
    for name in ("image", "objectives", "anyclr-graph-plugin", "anyclr"):
        result = invoke("new-plugin", name, "--dir", str(tmp_path))
        assert result.exit_code == 2 and "is taken by anyclr itself" in result.stderr, (name, result.output)
    assert not any(tmp_path.iterdir())


# -- (b) a failing hook is reported once, with the plug-in's name, and the plug-in is disabled ---------------------


class Counter:
    """Counts its lifecycle calls; raises from anyclr_epoch_end when told to."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[str] = []

    @hookimpl
    def anyclr_train_start(self, context) -> None:
        self.calls.append("start")

    @hookimpl
    def anyclr_epoch_end(self, context, epoch, metrics) -> None:
        self.calls.append(f"epoch{epoch}")
        if self.fail:
            raise RuntimeError("webhook unreachable")

    @hookimpl
    def anyclr_train_end(self, context, summary) -> None:
        self.calls.append("end")


class BrokenViews(Counter):
    @hookimpl
    def anyclr_views(self) -> list[Component]:
        raise ImportError("no module named 'foo'")


def test_failing_lifecycle_hook_is_reported_once_and_disables_its_plugin(capsys):
    good, bad, broken = Counter(), Counter(fail=True), BrokenViews()
    registry = Registry([("good", good), ("notifier", bad), ("half", broken)], entry_points=False)
    assert registry.plugin("half").status == "broken"  # its component hook raised at load time
    for epoch in (1, 2, 3):
        registry.call_lifecycle("anyclr_epoch_end", context=None, epoch=epoch, metrics={})
    registry.call_lifecycle("anyclr_train_end", context=None, summary={})
    assert good.calls == ["epoch1", "epoch2", "epoch3", "end"]
    assert bad.calls == ["epoch1"]  # disabled after its first failure: no further lifecycle hook
    assert broken.calls == []  # broken at load: never called
    err = capsys.readouterr().err
    assert err.count("Warning:") == 1
    assert "plug-in 'notifier' failed: anyclr_epoch_end raised RuntimeError: webhook unreachable" in err
    info = registry.plugin("notifier")
    assert info.status == "broken" and info.reason == "anyclr_epoch_end raised RuntimeError: webhook unreachable"
    assert [p.name for p in registry.broken()] == ["half", "notifier"]
    with pytest.raises(ValueError, match="not a lifecycle hook"):
        registry.call_lifecycle("anyclr_views")


def test_failing_epoch_end_does_not_stop_training(tmp_path):
    bad = Counter(fail=True)
    toy_registry(tmp_path, ("notifier", bad))
    run = tmp_path / "run"
    result = invoke("train", "toy-simclr", "--run-dir", str(run), "--quiet", "--set", "trainer.epochs=2")
    assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads((run / "summary.json").read_text())["epochs"] == 2
    assert bad.calls == ["start", "epoch1"]
    assert result.stderr.count("plug-in 'notifier' failed: anyclr_epoch_end raised RuntimeError: webhook unreachable") == 1
    rows = {r["name"]: r for r in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["notifier"]["status"] == "broken" and "webhook unreachable" in rows["notifier"]["reason"]


# -- (c) component-name clashes: built-ins win, the other stays reachable as plugin:name ----------------------------


def fake_ntxent(temperature: float = 0.7, scale: int = 3):
    """Someone else's NT-Xent."""
    return ("fake", temperature, scale)


class Clasher:
    def __init__(self, *names: str) -> None:
        self.names = names

    @hookimpl
    def anyclr_objectives(self) -> list[Component]:
        return [Component(name, fake_ntxent) for name in self.names]


def test_component_name_clash_keeps_the_builtin_and_qualifies_the_other(tmp_path, capsys):
    registry = toy_registry(tmp_path, ("myplug", Clasher("ntxent", "my-loss")))
    err = capsys.readouterr().err
    assert err.count("Warning:") == 1
    assert "plug-in 'myplug': its objective 'ntxent' clashes with plug-in 'objectives''s; use 'myplug:ntxent'" in err
    assert registry.get("objective", "ntxent").plugin == "objectives"
    mine = registry.get("objective", "myplug:ntxent")
    assert mine.plugin == "myplug" and mine.factory is fake_ntxent
    assert registry.get("objective", "objectives:ntxent") is registry.get("objective", "ntxent")  # every name qualifies
    assert registry.get("objective", "myplug:my-loss").name == "my-loss"
    # Every command still works; listings show the shadowed one under its qualified name.
    result = invoke("plugins")
    assert result.exit_code == 0 and "Note: plug-in 'myplug': its objective 'ntxent' clashes" in result.stdout
    names = [i["name"] for i in json.loads(invoke("components", "--kind", "objective", "--json").stdout)]
    assert names.count("ntxent") == 1 and "myplug:ntxent" in names
    result = invoke("show", "myplug:ntxent")
    assert result.exit_code == 0 and "Someone else's NT-Xent." in result.stdout and 'name = "myplug:ntxent"' in result.stdout
    # A recipe names it the same way.
    from anyclr.core.build import call_factory

    built = call_factory(registry, "objective", "objective", {"name": "myplug:ntxent", "scale": 5}, {})
    assert built == ("fake", 0.7, 5)


def test_two_third_party_plugins_clashing_first_by_name_wins(capsys):
    registry = Registry([("zeta", Clasher("shared-loss")), ("alpha", Clasher("shared-loss"))], entry_points=False)
    assert registry.get("objective", "shared-loss").plugin == "alpha"
    assert registry.get("objective", "zeta:shared-loss").plugin == "zeta"
    assert registry.plugin("zeta").notes == ["its objective 'shared-loss' clashes with plug-in 'alpha''s; use 'zeta:shared-loss'"]
    assert capsys.readouterr().err.count("Warning:") == 1


def test_clash_from_an_installed_distribution_is_not_fatal(tmp_path, monkeypatch):
    source = (
        "from anyclr.core.components import Component\n"
        "from anyclr.core.hookspecs import hookimpl\n\n"
        "@hookimpl\n"
        "def anyclr_objectives():\n"
        "    return [Component('ntxent', 'anyclr.objectives.dcl:DCL')]\n"
    )
    fake_distribution(tmp_path, "anyclr-clash", "clash", "anyclr_clash_fixture", source)
    monkeypatch.syspath_prepend(str(tmp_path))
    for args in (("plugins",), ("components", "--kind", "objective"), ("recipes",), ("show", "clash:ntxent")):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
    assert "clash:ntxent" in invoke("components", "--kind", "objective").stdout


# -- listing imports no implementation ---------------------------------------------------------------------------

HEAVY = ("torch", "torchvision", "torch_geometric", "aeon", "sklearn", "numpy", "pandas")
LISTING = """
import sys
from anyclr.cli import main

for args in (["--help"], ["plugins"], ["components"], ["components", "--json"], ["recipes"],
             ["show", "ntxent"], ["show", "image-simclr", "--kind", "view"], ["show", "image-simclr"]):
    try:
        main(args)
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
print("HEAVY", sorted(m for m in {heavy!r} if m in sys.modules))
"""


def test_listing_commands_import_no_implementation():
    # The example plug-in's tree first, so that it is this checkout's (lazy) version that is listed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", LISTING.format(heavy=HEAVY)], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert "image-simclr" in out.stdout and "temperature" in out.stdout  # it did list
    assert out.stdout.strip().splitlines()[-1] == "HEAVY []"


class Typo:
    @hookimpl
    def anyclr_views(self) -> list[Component]:
        return [Component("typo-views", "anyclr_no_such_module_xyz.views:Views")]


def test_component_whose_import_string_is_wrong_is_listed_with_why(tmp_path):
    toy_registry(tmp_path, ("typo", Typo()))
    result = invoke("components", "--kind", "view")
    assert result.exit_code == 0, result.output
    assert "typo-views" in result.stdout and "image-simclr" in result.stdout
    row = next(i for i in json.loads(invoke("components", "--json").stdout) if i["name"] == "typo-views")
    assert row["parameters"] is None and "ModuleNotFoundError" in row["error"]
    result = invoke("show", "typo-views")
    assert result.exit_code == 2 and "The view 'typo-views' (plug-in 'typo') could not be imported" in result.stderr
