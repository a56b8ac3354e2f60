"""The ``anyclr`` command line: thin commands that parse arguments, call anyclr.api or the registry, and print.

Exit codes: 0 success, 1 unexpected error (a bug; ``--debug`` shows the traceback), 2 bad input
(unknown recipe, key or component, missing file …), 130 interrupted.
"""

import importlib
import inspect
import json
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from rich.syntax import Syntax
from rich.text import Text

from anyclr import __version__
from anyclr.cli_errors import AnyclrGroup, debug_from_env, report, show_warning, stderr_console
from anyclr.cli_launch import Launch, launch_distributed
from anyclr.cli_render import (
    component_details,
    components_table,
    listing_fields,
    plugin_notes,
    plugins_table,
    recipes_table,
    stdout_console,
)
from anyclr.core import config
from anyclr.core.components import KINDS, Component, Recipe
from anyclr.core.errors import AnyclrError, unknown_name
from anyclr.core.registry import Registry, get_registry

DEFAULT_RECIPE = "image-simclr"
# `--kind encoder` lists what an [encoder] section combines.
KIND_CHOICES = {**{k: [k] for k in KINDS}, "encoder": ["backbone", "head"]}

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        metavar="SECTION.KEY=VALUE",
        help="Override one recipe key (repeatable), e.g. --set trainer.epochs=5 --set objective.temperature=0.5.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _api() -> ModuleType:
    """Return anyclr.api (imported on use: it pulls in torch and the trainer)."""
    return importlib.import_module("anyclr.api")


def _existing_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise AnyclrError(f"{what} {path} does not exist or is not a directory.", "Pass a run directory written by `anyclr train`.")
    return path


def _kinds(kind: str | None) -> list[str | None]:
    if kind is None:
        return [None]
    if kind not in KIND_CHOICES:
        raise unknown_name("component kind", kind, KIND_CHOICES)
    return list(KIND_CHOICES[kind])


# -- commands ---------------------------------------------------------------------------------------------------


def train(
    recipe: Annotated[
        str | None,
        typer.Argument(help=f"Recipe name (see `anyclr recipes`) or path to a .toml file. Default: {DEFAULT_RECIPE}.", show_default=False),
    ] = None,
    set_: SetOption = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda or cuda:N. Default: the recipe's trainer.device.", show_default=False)] = None,
    run_dir: Annotated[
        Path | None, typer.Option("--run-dir", help="Directory for this run (new or empty). Default: a new folder under runs/.", show_default=False)
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the anyclr run in --run-dir (its checkpoints, metrics, plots, summary; other files stay).")
    ] = False,
    resume: Annotated[
        Path | None, typer.Option(help="Continue the run in this directory from its last checkpoint (its recipe is reused).", show_default=False)
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed. Default: the recipe's trainer.seed.", show_default=False)] = None,
    nproc: Annotated[int, typer.Option(min=1, help="Processes on this machine (one per GPU); more than 1 uses distributed data parallel.")] = 1,
    nnodes: Annotated[int, typer.Option(min=1, help="Machines taking part (run the same command on each).", rich_help_panel="Multi-machine")] = 1,
    node_rank: Annotated[int, typer.Option(min=0, help="This machine's index (with --master-addr).", rich_help_panel="Multi-machine")] = 0,
    rdzv_endpoint: Annotated[
        str | None, typer.Option(help="HOST:PORT where the machines meet (torch's c10d rendezvous).", show_default=False, rich_help_panel="Multi-machine")
    ] = None,
    master_addr: Annotated[str | None, typer.Option(help="Address of the machine with --node-rank 0 (static rendezvous).", show_default=False, rich_help_panel="Multi-machine")] = None,
    master_port: Annotated[int, typer.Option(help="Port on --master-addr.", rich_help_panel="Multi-machine")] = 29500,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Hide the progress bar.")] = False,
) -> None:
    """Train a recipe, evaluate it, and write checkpoints, metrics, plots and summary.json to a run directory.

    Examples: `anyclr train` · `anyclr train timeseries-ts2vec --set trainer.epochs=5` · `anyclr train my.toml --device cuda` · `anyclr train --resume runs/image-simclr-20250101-120000`

    Several processes or machines (torch.distributed.run underneath): `anyclr train X --nproc 4`; on two machines,
    `anyclr train X --nproc 8 --nnodes 2 --rdzv-endpoint HOST:29400` on each.
    """
    sets = list(set_ or [])
    if resume is not None:
        _existing_dir(resume, "Run directory")
    if nproc > 1 or nnodes > 1 or rdzv_endpoint or master_addr:  # never drop a launch option silently
        launch = Launch(nproc, nnodes, node_rank, rdzv_endpoint or "", master_addr or "", master_port)
        raise typer.Exit(launch_distributed(train_argv(recipe, sets, device, run_dir, resume, seed, quiet, overwrite), launch))
    kwargs: dict[str, Any] = {
        "overrides": tuple(sets),
        "run_dir": run_dir,
        "resume": resume,
        "overwrite": overwrite,
        "seed": seed,
        "device": device,
        "progress": not quiet,
    }
    if recipe is not None or resume is None:
        kwargs["recipe"] = recipe or DEFAULT_RECIPE
    summary = _api().train(**kwargs)
    # The trainer prints the results table and the run folder; the CLI adds what to do with it.
    where = (summary or {}).get("run_dir") or run_dir or resume
    from anyclr.core.distributed import is_main

    if where and is_main():
        stdout_console().print(Text(f"Next: anyclr evaluate {where}   ·   anyclr embed {where} --out embeddings.npy", style="dim"))


def train_argv(
    recipe: str | None,
    sets: list[str],
    device: str | None,
    run_dir: Path | None,
    resume: Path | None,
    seed: int | None,
    quiet: bool,
    overwrite: bool = False,
) -> list[str]:
    """Rebuild a ``train`` command line without ``--nproc`` (what each distributed process runs)."""
    argv = ["train"] + ([recipe] if recipe else [])
    for item in sets:
        argv += ["--set", item]
    for flag, value in (("--device", device), ("--run-dir", run_dir), ("--resume", resume), ("--seed", seed)):
        if value is not None:
            argv += [flag, str(value)]
    return argv + (["--quiet"] if quiet else []) + (["--overwrite"] if overwrite else [])


def evaluate(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `anyclr train`.", show_default=False)],
    protocol: Annotated[
        str, typer.Option("--protocol", "-p", help="knn, linear, rankme, svm … (see `anyclr components --kind evaluator`) or all.")
    ] = "all",
    as_json: JsonOption = False,
) -> None:
    """Evaluate a trained run's frozen features again with one protocol or all of the recipe's protocols."""
    result = _api().evaluate(_existing_dir(run_dir, "Run directory"), protocol=protocol, print_table=not as_json)
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))


def embed(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `anyclr train`.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .npy (one array) or .parquet (one row per sample).", show_default=False)],
    data: Annotated[
        str | None,
        typer.Option("--data", help="Data to embed, read by the run's dataset (data.path). Default: the run's own data.", show_default=False),
    ] = None,
    set_: SetOption = None,
    encoder: Annotated[
        str | None, typer.Option("--encoder", "-e", help="For a run with one encoder per stream: the stream to embed.", show_default=False)
    ] = None,
) -> None:
    """Embed data with a trained run's backbone and save the features (labels too for .parquet)."""
    path = _api().embed(_existing_dir(run_dir, "Run directory"), out, data_path=data, overrides=tuple(set_ or []), encoder=encoder)
    stdout_console().print(Text.assemble(("Wrote embeddings to ", "bold"), str(path or out)))


def shard(
    dataset: Annotated[str, typer.Argument(help="A dataset name (see `anyclr components --kind dataset`).", show_default=False)],
    out: Annotated[Path, typer.Argument(help="Folder to write train-NNNNNN.tar (and test-NNNNNN.tar) shards to.", show_default=False)],
    samples_per_shard: Annotated[int, typer.Option("--samples-per-shard", "-n", min=1, help="Samples per tar shard.")] = 10_000,
    workers: Annotated[int, typer.Option(min=0, help="DataLoader workers that decode and encode samples.")] = 0,
    set_: SetOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Hide the progress bar.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a dataset to WebDataset tar shards, to train on it as a stream (data.name = "shards", data.path = OUT).

    Example: `anyclr shard fashion-mnist shards/fmnist -n 5000` then
    `anyclr train my.toml --set data.name=shards --set data.path=shards/fmnist --set trainer.max_steps=2000`.
    """
    result = _api().shard(dataset, out, samples_per_shard, overrides=tuple(set_ or []), workers=workers, progress=not quiet)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{dataset} → {result['out']} (codec {result['codec']})")
    for col in ("split", "samples", "shards", "MiB"):
        table.add_column(col, justify="right" if col != "split" else "left")
    for split, row in result["splits"].items():
        table.add_row(split, str(row["samples"]), str(row["shards"]), f"{row['bytes'] / 2**20:.1f}")
    console = stdout_console()
    console.print(table)
    console.print(f"{result['samples_per_second']:.0f} samples/s" + (f"; {result['bad_samples']} bad sample(s) skipped" if result["bad_samples"] else ""))


def plugins(as_json: JsonOption = False) -> None:
    """List the discovered plug-ins (entry point group `anyclr`), whether each loaded, and what it provides."""
    registry = get_registry()
    if as_json:
        typer.echo(json.dumps([p.as_dict() for p in registry.plugins], indent=2))
        return
    console = stdout_console()
    console.print(plugins_table(registry))
    for line in plugin_notes(registry):
        console.print(line)


def components(
    kind: Annotated[
        str | None,
        typer.Option(
            help="view, augmentation, backbone, head, encoder (= backbone + head), objective, dataset, codec, evaluator or recipe.",
            show_default=False,
        ),
    ] = None,
    modality: Annotated[str | None, typer.Option(help="Only components for this modality (and modality-agnostic ones).", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """List the registered components with their plug-in, summary and parameters (defaults shown)."""
    registry = get_registry()
    items = [c for k in _kinds(kind) for c in registry.components(k, modality)]
    if as_json:
        typer.echo(json.dumps([_component_json(c) for c in items], indent=2, default=repr))
        return
    stdout_console().print(components_table(items))


def _component_json(item: Component | Recipe) -> dict[str, Any]:
    summary, params, problem = listing_fields(item)
    out: dict[str, Any] = dict(kind=item.kind, name=item.name, modality=item.modality, plugin=item.plugin, summary=summary)
    if isinstance(item, Component):
        out["parameters"] = None if params is None else [
            {"name": k, "required": v is inspect.Parameter.empty, "default": None if v is inspect.Parameter.empty else v}
            for k, v in params.items()
        ]
        if problem:
            out["error"] = problem
    else:
        out["path"] = str(item.path)
    return out


def recipes(
    modality: Annotated[str | None, typer.Option(help="Only recipes for this modality.", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """List the recipes that plug-ins ship (train one with `anyclr train NAME`, read it with `anyclr show NAME`)."""
    items = get_registry().components("recipe", modality)
    if as_json:
        typer.echo(json.dumps([_component_json(c) for c in items], indent=2))
        return
    stdout_console().print(recipes_table(items))


def show(
    name: Annotated[str, typer.Argument(help="A recipe or component name (PLUGIN:NAME for one whose name a built-in took), or a recipe .toml file.", show_default=False)],
    kind: Annotated[str | None, typer.Option(help="Only look among components of this kind.", show_default=False)] = None,
    set_: SetOption = None,
) -> None:
    """Show a recipe as resolved TOML (defaults filled, --set applied), or a component's documentation and parameters."""
    registry = get_registry()
    sets = list(set_ or [])
    if name.endswith(".toml") or Path(name).is_file():
        _, cfg = config.load(name, registry)
        _print_toml(_resolved_text(cfg, sets))
        return
    kinds = _kinds(kind)
    matches = [m for m in registry.find(name) if kinds == [None] or m.kind in kinds]
    if not matches:
        choices = [c.name for k in kinds for c in registry.components(k)]
        raise unknown_name(kind or "component or recipe", name, choices)
    recipe = next((m for m in matches if isinstance(m, Recipe)), None)
    if recipe is not None:
        # stdout stays valid TOML (`anyclr show NAME > my.toml`); same-named components are only mentioned.
        for other in matches:
            if other is not recipe:
                stderr_console().print(
                    Text(f"'{name}' is also a {other.kind}: anyclr show {name} --kind {other.kind}", style="dim")
                )
        cfg = config.loads(recipe.text(), f"recipe {recipe.name!r}")
        _print_toml(f"# recipe {recipe.name} (plug-in {recipe.plugin})\n" + _resolved_text(cfg, sets))
        return
    if sets:
        raise AnyclrError("--set applies to recipes only.", f"{name!r} is a {matches[0].kind}.")
    console = stdout_console()
    for i, item in enumerate(matches):
        if i:
            console.rule()
        console.print(component_details(item))


def _resolved_text(cfg: dict[str, Any], sets: list[str]) -> str:
    return config.dumps(config.resolve(config.apply_overrides(cfg, sets)))


def _print_toml(text: str) -> None:
    console = stdout_console()
    if console.is_terminal:
        console.print(Syntax(text, "toml", background_color="default"))
    else:
        typer.echo(text)


def new_plugin(
    name: Annotated[str, typer.Argument(help="Plug-in name, e.g. 'my-audio' (components get it as prefix).", show_default=False)],
    directory: Annotated[Path, typer.Option("--dir", help="Folder to create the package in.")] = Path("."),
) -> None:
    """Create a third-party plug-in package (pyproject entry point, one view, one backbone, a recipe, tests)."""
    from anyclr.cli_scaffold import plugin_names, scaffold

    root = scaffold(name, directory)
    names = plugin_names(name)
    console = stdout_console()
    console.print(Text.assemble(("Created ", "bold"), str(root)))
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        console.print(f"  {path.relative_to(root)}", markup=False)
    console.print(Text("\nNext steps:", style="bold"))
    for line in (
        f"pip install -e {root}",
        f"anyclr components --kind view            # lists {names['name']}-noise",
        f"anyclr train {names['name']}-digits --set trainer.epochs=1",
        f"pytest {root / 'tests'}",
    ):
        console.print(f"  {line}", markup=False)


# -- the app ----------------------------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"anyclr {__version__}")
        raise typer.Exit()


def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors (or set ANYCLR_DEBUG=1).")] = False,
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """Contrastive self-supervised representation learning for any modality.

    Train a recipe, evaluate or embed with a finished run, and browse the plug-ins, components and recipes.
    """


COMMANDS = {
    "train": train,
    "evaluate": evaluate,
    "embed": embed,
    "shard": shard,
    "plugins": plugins,
    "components": components,
    "recipes": recipes,
    "show": show,
    "new-plugin": new_plugin,
}


def make_app(registry: Registry | None = None) -> typer.Typer:
    """Build the Typer app: the built-in commands plus those plug-ins add through the ``anyclr_cli`` hook."""
    app = typer.Typer(
        cls=AnyclrGroup,
        name="anyclr",
        no_args_is_help=True,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    for name, fn in COMMANDS.items():
        app.command(name)(fn)
    add_plugin_commands(app, registry)
    return app


def add_plugin_commands(app: typer.Typer, registry: Registry | None = None) -> None:
    """Let each plug-in add commands; one that fails is reported, disabled and skipped, never fatal."""
    (registry or get_registry()).call_lifecycle("anyclr_cli", app=app)


def hoist_debug(args: list[str]) -> list[str]:
    """Move ``--debug`` given after the command (``anyclr train x --debug``) to where it is an option."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" in args[1:end]:
        args = ["--debug"] + [a for i, a in enumerate(args) if not (a == "--debug" and i < end)]
    return args


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``anyclr`` script and ``python -m anyclr``."""
    args = sys.argv[1:] if argv is None else list(argv)
    args = hoist_debug(args)
    if "--debug" not in args:
        # Library deprecation noise printed while plug-ins import (torch-geometric); users cannot act on it.
        warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)
        warnings.showwarning = show_warning
    try:
        app = make_app()
    except (Exception, KeyboardInterrupt) as exc:
        sys.exit(report(exc, "--debug" in args or debug_from_env()))
    app(args=args, prog_name="anyclr")


if __name__ == "__main__":
    main()
