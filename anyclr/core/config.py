"""Recipes: flat TOML with the sections data, views, encoder, objective, trainer, eval; ``--set`` overrides."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import tomli_w

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from anyclr.core.errors import AnyclrError, check_keys, unknown_name
from anyclr.core.validate import check_values

SECTIONS = ("data", "views", "encoder", "objective", "trainer", "eval")
TOP_LEVEL_KEYS = ("description", "modality")

TRAINER_DEFAULTS: dict[str, Any] = {
    "epochs": 20,
    "max_steps": 0,  # optimiser steps to train for, whatever the data size; 0 = trainer.epochs passes (a stream needs it)
    "epoch_steps": 0,  # steps between checkpoints on a stream; 0 = min(max_steps, 1000)
    "batch_size": 256,
    "optimizer": "adamw",  # adamw | sgd | lars
    "lr": 1e-3,
    "weight_decay": 1e-4,
    "momentum": 0.9,
    "warmup_epochs": 1,
    "final_lr_ratio": 0.0,
    "grad_clip": 1.0,  # max gradient norm; 0 turns clipping off
    "seed": 0,
    "device": "auto",  # auto | cpu | cuda | cuda:N
    "precision": "auto",  # auto (bf16 on CUDA, fp32 on CPU) | bf16 | fp32
    "channels_last": "auto",
    "compile": False,
    "sync_batchnorm": False,
    "view_batches": "joint",  # joint: all views in one forward (shared BatchNorm statistics) | separate: one per view
    "num_workers": 0,  # DataLoader worker processes decoding samples (lazy datasets and streams)
    "persistent_workers": True,  # DataLoader workers live for the whole run
    "prefetch_factor": 2,  # batches each worker loads ahead
    "threads": 0,  # torch CPU threads; 0 = one per core
    "drop_last": True,
    "knn_every": 5,  # online kNN monitor every N epochs on a held-out split; 0 = off
    "monitor_fraction": 0.1,
    "log_every": 10,
    "max_steps_per_epoch": 0,  # 0 = the whole training set each epoch
}

EVAL_DEFAULTS: dict[str, Any] = {
    "protocols": ["knn", "linear", "rankme"],
    "baselines": ["random_init", "raw_input"],
    "batch_size": 512,
    "plots": True,
    "max_samples": 20_000,  # evaluate on at most this many (seeded, stratified) samples per split; 0 = all (a stream: 10,000)
}


def parse_value(text: str) -> Any:
    """Parse an override value as a TOML value, falling back to a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def loads(text: str, source: str = "<recipe>") -> dict[str, Any]:
    """Parse recipe TOML and check its sections."""
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnyclrError(f"{source} is not valid TOML: {exc}", "Fix the line it names.") from None
    for key, value in cfg.items():
        if isinstance(value, dict):
            if key not in SECTIONS:
                raise unknown_name(f"recipe section in {source}:", key, SECTIONS)
        elif key not in TOP_LEVEL_KEYS:
            raise unknown_name(f"top-level recipe key in {source}:", key, TOP_LEVEL_KEYS + SECTIONS)
    for section in SECTIONS:
        cfg.setdefault(section, {})
    return cfg


def load(name_or_path: str, registry: Any) -> tuple[str, dict[str, Any]]:
    """Load a recipe by registered name or TOML file path; return (recipe name, config)."""
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise AnyclrError(f"Recipe file {name_or_path} does not exist.", "Check the path, or run `anyclr recipes`.")
        return path.stem, loads(path.read_text(), str(path))
    recipe = registry.recipe(name_or_path)
    return recipe.name, loads(recipe.text(), f"recipe {recipe.name!r}")


def apply_overrides(cfg: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """Return a copy of ``cfg`` with ``section.key=value`` overrides applied."""
    cfg = copy.deepcopy(cfg)
    for item in sets:
        if "=" not in item:
            raise AnyclrError(f"Override {item!r} has no '='.", "Write it as section.key=value, e.g. trainer.epochs=5.")
        key, raw = item.split("=", 1)
        key = key.strip()
        if "." not in key:
            raise AnyclrError(
                f"Override key {key!r} names no section.",
                "Write section.key=value; sections: " + ", ".join(SECTIONS) + ".",
            )
        section, *path = key.split(".")
        if section not in SECTIONS:
            raise unknown_name("recipe section", section, SECTIONS)
        table = cfg.setdefault(section, {})
        for part in path[:-1]:  # views.image.n_views=1 sets n_views in [views.image]
            if not isinstance(table.get(part, {}), dict):
                raise AnyclrError(f"Override {key!r}: {section}.{part} is a value, not a table.", f"Set {section}.{part}=… itself.")
            table = table.setdefault(part, {})
        table[path[-1]] = parse_value(raw.strip())
    return cfg


STREAM_SECTIONS = ("data", "views", "encoder")


def stream_tables(cfg: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    """Return ``{stream: table}`` when ``[section]`` holds one ``[section.<stream>]`` table per input stream, else ``{}``.

    A section with a ``name`` of its own is a single stream (values that are tables, such as a list of
    augmentation tables, are its parameters).
    """
    table = cfg.get(section, {})
    if "name" in table:
        return {}
    subs = {k: v for k, v in table.items() if isinstance(v, dict)}
    if subs and len(subs) != len(table):
        plain = next(k for k in table if k not in subs)
        raise AnyclrError(
            f"[{section}] mixes stream tables ({', '.join(f'[{section}.{k}]' for k in subs)}) with the value {section}.{plain}.",
            f"Move {plain} into each [{section}.<stream>] table, or give [{section}] a name and no stream tables.",
        )
    return subs


def resolve(cfg: dict[str, Any]) -> dict[str, Any]:
    """Fill trainer and eval defaults, reject unknown keys there and check every value's type and range."""
    cfg = copy.deepcopy(cfg)
    for section, defaults in (("trainer", TRAINER_DEFAULTS), ("eval", EVAL_DEFAULTS)):
        given = cfg.get(section, {})
        # eval.<evaluator>_<parameter> keys are checked against the evaluators (evaluation.check_protocols)
        own = [k for k in given if not (section == "eval" and "_" in k and k not in defaults)]
        check_keys(own, defaults, lambda k, s=section: f"{s}.{k}")
        cfg[section] = {**defaults, **given}
    for section in ("data", "views", "encoder", "objective"):
        streams = stream_tables(cfg, section) if section in STREAM_SECTIONS else {}
        for stream, table in streams.items():
            if "name" not in table:
                raise AnyclrError(f"The recipe's [{section}.{stream}] table has no 'name'.", f"Set it, e.g. --set {section}.{stream}.name=…")
        if not streams and "name" not in cfg.get(section, {}):
            raise AnyclrError(f"The recipe's [{section}] section has no 'name'.", f"Set it, e.g. --set {section}.name=…")
    check_values(cfg, {"trainer": TRAINER_DEFAULTS, "eval": EVAL_DEFAULTS})
    return cfg


def dumps(cfg: dict[str, Any]) -> str:
    """Serialise a resolved config as TOML."""
    return tomli_w.dumps(cfg)
