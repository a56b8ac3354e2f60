"""Build a recipe's components from the registry, checking every key against the factory's parameters."""

from __future__ import annotations

from typing import Any

import torch

from anyclr.core.components import accepts_any_keyword
from anyclr.core.data import DataBundle
from anyclr.core.encoder import Encoder
from anyclr.core.errors import AnyclrError, closest
from anyclr.core.objective import Objective
from anyclr.core.registry import Registry
from anyclr.core.views import Step, ViewGenerator


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
        for key in params:
            if key not in accepted:
                near = closest(key, accepted)
                raise AnyclrError(
                    f"Unknown key {section}.{key_prefix}{key} for {kind} {name!r}.",
                    ("Did you mean: " + ", ".join(f"{section}.{key_prefix}{n}" for n in near) + "?")
                    if near
                    else f"Its parameters: {', '.join(accepted) or '(none)'} (see `anyclr show {name}`).",
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
    """Build the recipe's dataset."""
    bundle = call_factory(registry, "dataset", "data", cfg["data"], {})
    if not isinstance(bundle, DataBundle):
        raise AnyclrError(f"Dataset {cfg['data']['name']!r} did not return a DataBundle (plug-in bug).")
    if len(bundle.train) == 0:
        raise AnyclrError(f"Dataset {cfg['data']['name']!r} has no training samples.", "Check data.path.")
    return bundle


def build_views(registry: Registry, cfg: dict[str, Any], info: dict[str, Any]) -> ViewGenerator:
    """Build the recipe's view generator (its ``augmentations`` tables, if any, as augmentation components)."""
    params = dict(cfg["views"])
    if _holds_tables(params.get("augmentations")):
        params["augmentations"] = build_steps(registry, params["augmentations"], info, "views.augmentations")
    return call_factory(registry, "view", "views", params, info)


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


def build_encoder(registry: Registry, cfg: dict[str, Any], info: dict[str, Any]) -> Encoder:
    """Build backbone and head from the ``[encoder]`` section (``head`` and ``head_*`` keys go to the head)."""
    section = dict(cfg["encoder"])
    head_name = section.pop("head", "mlp")
    head_params = {k[len("head_"):]: section.pop(k) for k in list(section) if k.startswith("head_")}
    backbone = call_factory(registry, "backbone", "encoder", section, info)
    if not hasattr(backbone, "out_dim"):
        raise AnyclrError(f"Backbone {section['name']!r} has no out_dim attribute (plug-in bug).")
    head = call_factory(
        registry, "head", "encoder", {"name": head_name, **head_params}, {"in_dim": backbone.out_dim}, key_prefix="head_"
    )
    return Encoder(backbone, head)


def build_objective(registry: Registry, cfg: dict[str, Any], info: dict[str, Any], encoder: Encoder) -> Objective:
    """Build the objective; it may take ``embed_dim`` (the head's output width) and ``feature_dim``."""
    extra = dict(info)
    extra["feature_dim"] = encoder.out_dim
    extra["embed_dim"] = int(getattr(encoder.head, "out_dim", encoder.out_dim))
    objective = call_factory(registry, "objective", "objective", cfg["objective"], extra)
    if not isinstance(objective, torch.nn.Module):
        raise AnyclrError(f"Objective {cfg['objective']['name']!r} is not an nn.Module (plug-in bug).")
    return objective
