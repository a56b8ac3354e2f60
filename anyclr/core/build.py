"""Build a recipe's components from the registry, checking every key against the factory's parameters."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.components import accepts_any_keyword
from anyclr.core.config import stream_tables
from anyclr.core.data import DataBundle
from anyclr.core.encoder import Encoder, StreamEncoders
from anyclr.core.errors import AnyclrError, check_keys, closest
from anyclr.core.objective import Objective, objective_streams
from anyclr.core.paired import pair_bundles
from anyclr.core.registry import Registry
from anyclr.core.views import Step, StreamViews, ViewGenerator


def call_factory(
    registry: Registry, kind: str, section: str, params: dict[str, Any], info: dict[str, Any], key_prefix: str = ""
) -> Any:
    """Call the factory named ``params['name']`` with the other params plus any ``info`` keys it takes.

    ``key_prefix`` is how the recipe spells these keys (``head_`` for the head), used in error messages.
    """
    params = dict(params)
    name = params.pop("name")
    component = registry.get(kind, name)
    accepted = component.parameters()
    if not accepts_any_keyword(component.factory):
        check_keys(
            params, accepted, lambda k: f"{section}.{key_prefix}{k}", f"{kind} {name!r}",
            f"Its parameters: {', '.join(accepted) or '(none)'} (see `anyclr show {name}`).",
        )
    for key, value in info.items():
        if key in accepted and key not in params:
            params[key] = value
    try:
        return component.factory(**params)
    except AnyclrError:
        raise
    except (TypeError, ValueError) as exc:
        raise AnyclrError(f"Could not build {kind} {name!r} from [{section}]: {exc}") from exc


def build_dataset(registry: Registry, cfg: dict[str, Any]) -> DataBundle:
    """Build the recipe's dataset; ``[data.<stream>]`` tables are built one by one and paired sample by sample."""
    streams = stream_tables(cfg, "data")
    if streams:
        return pair_bundles({name: _one_dataset(registry, table, f"data.{name}") for name, table in streams.items()})
    return _one_dataset(registry, cfg["data"], "data")


def _one_dataset(registry: Registry, table: dict[str, Any], section: str) -> DataBundle:
    bundle = call_factory(registry, "dataset", section, table, {})
    if not isinstance(bundle, DataBundle):
        raise AnyclrError(f"Dataset {table['name']!r} did not return a DataBundle (plug-in bug).")
    if not bundle.streaming and len(bundle.train) == 0:
        raise AnyclrError(f"Dataset {table['name']!r} has no training samples.", f"Check {section}.path.")
    return bundle


def check_streams(cfg: dict[str, Any], section: str, bundle: DataBundle) -> dict[str, dict[str, Any]]:
    """Return ``[section.<stream>]`` tables, checking they name exactly the data's streams (``{}`` for one stream)."""
    tables = stream_tables(cfg, section)
    names = list(bundle.streams)
    if not names and tables:
        raise AnyclrError(
            f"The recipe has [{section}.{next(iter(tables))}] tables, but its data is a single stream.",
            f"Pair streams in [data.<stream>] tables, or give [{section}] a name of its own.",
        )
    if names and not tables:
        raise AnyclrError(
            f"The data has the streams {', '.join(names)}: give one [{section}.<stream>] table per stream.",
            f"e.g. [{section}.{names[0]}] and [{section}.{names[1]}].",
        )
    for name in tables:
        if name not in bundle.streams:
            near = closest(name, names)
            raise AnyclrError(
                f"[{section}.{name}] has no matching stream in the data (its streams: {', '.join(names)}).",
                f"Did you mean [{section}.{near[0]}]?" if near else "Name the table after one of the data's streams.",
            )
    missing = [n for n in names if n not in tables]
    if missing:
        raise AnyclrError(f"Stream {missing[0]!r} has no [{section}.{missing[0]}] table.", f"Add one for every stream: {', '.join(names)}.")
    return {n: tables[n] for n in names}


def build_all_views(registry: Registry, cfg: dict[str, Any], bundle: DataBundle) -> ViewGenerator | StreamViews:
    """Build the view generator, or one per stream of paired data (``[views.<stream>]``)."""
    tables = check_streams(cfg, "views", bundle)
    if not tables:
        return build_views(registry, cfg, bundle.info)
    return StreamViews({n: build_views(registry, {"views": t}, bundle.streams[n].info, f"views.{n}") for n, t in tables.items()})


def build_all_encoders(registry: Registry, cfg: dict[str, Any], bundle: DataBundle) -> Encoder | StreamEncoders:
    """Build the encoder, or one per stream of paired data (``[encoder.<stream>]``), each from its stream's info."""
    tables = check_streams(cfg, "encoder", bundle)
    if not tables:
        return build_encoder(registry, cfg, bundle.info)
    return StreamEncoders({n: build_encoder(registry, {"encoder": t}, bundle.streams[n].info, f"encoder.{n}") for n, t in tables.items()})


def build_views(registry: Registry, cfg: dict[str, Any], info: dict[str, Any], section: str = "views") -> ViewGenerator:
    """Build the recipe's view generator (its ``augmentations`` tables, if any, as augmentation components)."""
    params = dict(cfg["views"])
    if _holds_tables(params.get("augmentations")):
        params["augmentations"] = build_steps(registry, params["augmentations"], info, f"{section}.augmentations")
    return call_factory(registry, "view", section, params, info)


def _holds_tables(value: Any) -> bool:
    """Return True for a list of tables, or a list of lists of tables (augmentation pipelines)."""
    if not isinstance(value, (list, tuple)):
        return False
    return any(isinstance(v, dict) or (isinstance(v, (list, tuple)) and any(isinstance(t, dict) for t in v)) for v in value)


def build_steps(registry: Registry, tables: Any, info: dict[str, Any], key: str) -> list[Any]:
    """Build a list of augmentation tables (or a list of such lists, one per view) into pipeline steps."""
    if not isinstance(tables, (list, tuple)):
        raise AnyclrError(f"{key} must be a list of tables such as {{name = \"...\"}}, got {type(tables).__name__}.")
    if tables and all(isinstance(t, (list, tuple)) for t in tables):
        return [build_steps(registry, t, info, f"{key}[{i}]") for i, t in enumerate(tables)]
    steps = []
    for i, table in enumerate(tables):
        if not isinstance(table, dict) or "name" not in table:
            raise AnyclrError(
                f"{key}[{i}] must be a table with a name, e.g. {{name = \"image-flip\", p = 0.5}}.",
                "See `anyclr components --kind augmentation`.",
            )
        params = dict(table)
        share = str(params.pop("share", ""))
        if _holds_tables(params.get("augmentations")):  # an augmentation made of others (a random choice …)
            params["augmentations"] = build_steps(registry, params["augmentations"], info, f"{key}[{i}].augmentations")
        augmentation = call_factory(registry, "augmentation", f"{key}[{i}]", params, info)
        steps.append(Step(augmentation, share))
    return steps


def build_encoder(registry: Registry, cfg: dict[str, Any], info: dict[str, Any], where: str = "encoder") -> Encoder:
    """Build backbone and head from the ``[encoder]`` section (``head`` and ``head_*`` keys go to the head)."""
    section = dict(cfg["encoder"])
    head_name = section.pop("head", "mlp")
    head_params = {k[len("head_"):]: section.pop(k) for k in list(section) if k.startswith("head_")}
    backbone = call_factory(registry, "backbone", where, section, info)
    if not hasattr(backbone, "out_dim"):
        raise AnyclrError(f"Backbone {section['name']!r} has no out_dim attribute (plug-in bug).")
    head = call_factory(
        registry, "head", where, {"name": head_name, **head_params}, {"in_dim": backbone.out_dim}, key_prefix="head_"
    )
    return Encoder(backbone, head)


def build_objective(registry: Registry, cfg: dict[str, Any], info: dict[str, Any], encoder: Encoder | StreamEncoders) -> Objective:
    """Build the objective; it may take ``embed_dim`` (the heads' output width) and ``feature_dim``.

    With one encoder per stream, the heads must share one output width, and the objective must be able to
    train that many encoders (``Objective.min_streams`` / ``max_streams``).
    """
    encoders = dict(encoder.items()) if isinstance(encoder, StreamEncoders) else {"": encoder}
    widths = {name: int(getattr(e.head, "out_dim", e.out_dim)) for name, e in encoders.items()}
    if len(set(widths.values())) > 1:
        listed = ", ".join(f"[encoder.{n}] {w}" for n, w in widths.items())
        raise AnyclrError(
            f"The streams' heads project to different widths ({listed}): a cross-stream objective compares them in one space.",
            "Give every [encoder.<stream>] the same head_out_dim.",
        )
    first = next(iter(encoders.values()))
    extra = dict(info)
    extra["feature_dim"] = first.out_dim
    extra["embed_dim"] = next(iter(widths.values()))
    objective = call_factory(registry, "objective", "objective", cfg["objective"], extra)
    if not isinstance(objective, torch.nn.Module):
        raise AnyclrError(f"Objective {cfg['objective']['name']!r} is not an nn.Module (plug-in bug).")
    check_objective_streams(objective, cfg["objective"]["name"], len(encoders) if isinstance(encoder, StreamEncoders) else 1)
    return objective


def check_objective_streams(objective: Objective, name: str, streams: int) -> None:
    """Raise when the objective cannot train ``streams`` encoders (one per input stream)."""
    low, high = objective_streams(objective)
    if streams < low:
        raise AnyclrError(
            f"Objective {name!r} contrasts {low} input streams, each with its own encoder, but this recipe has {streams} encoder.",
            "Pair streams with [data.<stream>], [views.<stream>] and [encoder.<stream>] tables, or use ntxent for two views of one stream.",
        )
    if streams > high:
        raise AnyclrError(
            f"Objective {name!r} trains one encoder (it encodes the views itself, with targets or predictors), but this recipe has {streams}.",
            "Use an objective on embeddings (ntxent, clip, siglip, dcl, barlow, vicreg …) for paired streams.",
        )
