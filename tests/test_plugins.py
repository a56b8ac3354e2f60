"""Plug-in discovery as the CLI shows it: broken plug-ins are listed with the reason, never fatal."""

import json

import typer
from cli_helpers import invoke, toy_registry

from anyclr.core.components import Component
from anyclr.core.errors import AnyclrError
from anyclr.core.hookspecs import hookimpl


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
        "from anyclr.core.hookspecs import hookimpl\n\n"
        "@hookimpl\n"
        "def anyclr_views():\n"
        "    raise ValueError('missing optional dependency foo')\n"
    )
    fake_distribution(tmp_path, "anyclr-hooky", "hooky", "anyclr_hooky_fixture", source)
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = {r["name"]: r for r in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["hooky"]["status"] == "broken"
    assert "anyclr_views raised ValueError: missing optional dependency foo" in rows["hooky"]["reason"]
    assert invoke("components").exit_code == 0


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
    assert "Warning: plug-in 'badcli' could not add its commands: ImportError: rich-extras is not installed" in warning
    result = invoke("hello", "--name", "anyclr", registry=registry)
    assert result.exit_code == 0 and result.stdout.strip() == "hello anyclr"
    result = invoke("fail", registry=registry)
    assert result.exit_code == 2 and "Error: Plug-in command got bad input." in result.stderr
    assert invoke("plugins", registry=registry).exit_code == 0


def test_cli_hook_uses_the_light_plugin_loader(monkeypatch):
    """Without a loaded registry the CLI imports plug-in modules but does not collect components."""
    from anyclr.cli import _cli_plugin_manager
    from anyclr.core import registry as registry_module

    pm = _cli_plugin_manager()
    assert registry_module._REGISTRY is None
    assert "heads" in {name for name, _ in pm.list_name_plugin()}
