"""How the CLI reports failures: user errors (exit 2), bugs (exit 1) and Ctrl-C (exit 130)."""

from __future__ import annotations

import os
import warnings
from typing import Any

import typer
from rich.console import Console
from rich.text import Text
from rich.traceback import Traceback
from typer.core import TyperGroup

from anyclr.core.errors import AnyclrError

EXIT_BUG = 1
EXIT_USER = 2
EXIT_INTERRUPTED = 130


def stderr_console() -> Console:
    """Return a console on the current ``sys.stderr`` (looked up per call, so test runners can capture it)."""
    console = Console(stderr=True, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160  # logs and pipes: do not wrap messages at 80 columns
    return console


def debug_from_env() -> bool:
    """Return True if ``ANYCLR_DEBUG`` asks for tracebacks."""
    return os.environ.get("ANYCLR_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def broken_plugins() -> list[str]:
    """Return the names of broken plug-ins (failed to load, or disabled after a failing hook), if the registry is loaded."""
    from anyclr.core.registry import loaded_registry

    loaded = loaded_registry()
    return [p.name for p in loaded.broken()] if loaded is not None else []


def report(exc: BaseException, debug: bool) -> int:
    """Print ``exc`` for a user and return the exit code it maps to."""
    console = stderr_console()
    if debug and not isinstance(exc, KeyboardInterrupt):
        console.print(Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=False))
    if isinstance(exc, KeyboardInterrupt):
        console.print(Text("Interrupted.", style="bold yellow"))
        return EXIT_INTERRUPTED
    if isinstance(exc, AnyclrError):
        console.print(Text.assemble(("Error: ", "bold red"), exc.message))
        if exc.hint:
            console.print(Text(exc.hint, style="yellow"))
        broken = broken_plugins()
        if broken and exc.message.startswith("Unknown"):
            console.print(
                Text(f"Note: plug-in(s) {', '.join(broken)} are broken (failed to load or disabled); see `anyclr plugins`.", style="dim")
            )
        return EXIT_USER
    message = str(exc).strip() or "(no message)"
    console.print(Text.assemble(("Error: ", "bold red"), f"{type(exc).__name__}: {message}"))
    if not debug:
        console.print(Text("This looks like a bug. Run with --debug for the traceback.", style="dim"))
    return EXIT_BUG


_default_showwarning = warnings.showwarning


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    """Print a ``UserWarning`` (anyclr's notes: a tiny temperature, a taken-over lock …) as one plain line on stderr."""
    if not issubclass(category, UserWarning) or file is not None:
        _default_showwarning(message, category, filename, lineno, file, line)
        return
    stderr_console().print(Text.assemble(("Warning: ", "bold yellow"), str(message)))


class AnyclrGroup(TyperGroup):
    """The top-level command group: runs a subcommand and turns its exceptions into messages and exit codes."""

    def invoke(self, ctx: typer.Context) -> Any:
        """Invoke the subcommand; AnyclrError exits 2, KeyboardInterrupt 130, anything else 1."""
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors, --help, typer.Exit: Typer already reports these
        except (Exception, KeyboardInterrupt) as exc:
            debug = bool(ctx.params.get("debug")) or debug_from_env()
            raise typer.Exit(report(exc, debug)) from None
