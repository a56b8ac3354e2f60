"""Registers the event-sequence components and recipes through the ``anyclr`` entry point (``events``).

Factories are named by import string and imported on first use, so listing them imports neither torch nor
pandas. Without pandas and pyarrow installed the plug-in is listed as broken, with the fix.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

MODALITY = "events"
PACKAGE = "anyclr.plugins.events"
RECIPES = Path(__file__).parent / "recipes"

for _module in ("pandas", "pyarrow"):
    if importlib.util.find_spec(_module) is None:  # found without importing it
        raise ModuleNotFoundError(f"the events plug-in needs {_module}: pip install 'anyclr[events]'")


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the event-sequence view generator."""
    return [Component("events-coles", f"{PACKAGE}.views.coles:ColesViews", MODALITY, "CoLES: several random contiguous slices per entity (positives of each other), optionally augmented.")]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the event-sequence augmentations (each samples for a whole padded EventBatch, then applies)."""
    views = f"{PACKAGE}.views"
    return [
        Component("events-slice", f"{views}.slice:RandomSlice", MODALITY, "CoLES's random contiguous slice of each entity's events (min/max length)."),
        Component("events-dropout", f"{views}.event_dropout:EventDropout", MODALITY, "Drop random events of each entity (at least one kept)."),
        Component("events-time-shift", f"{views}.time_shift:TimeShift", MODALITY, "Shift all of an entity's event times by one random offset."),
        Component("events-time-warp", f"{views}.time_warp:TimeWarp", MODALITY, "Stretch or squeeze an entity's gaps between events by one random factor."),
        Component("events-field-mask", f"{views}.field_mask:FieldMask", MODALITY, "Hide random field values (categories read as unknown, numbers as missing)."),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the event-sequence encoders."""
    encoders = f"{PACKAGE}.encoders"
    return [
        Component("events-gru", f"{encoders}.gru:EventGRU", MODALITY, "Field embeddings + GRU, last hidden state (CoLES's encoder)."),
        Component("events-transformer", f"{encoders}.transformer:EventTransformer", MODALITY, "Field embeddings + Transformer with a padding mask, mean-pooled."),
    ]


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the event-sequence objectives."""
    return [Component("coles", f"{PACKAGE}.objectives.coles:CoLES", MODALITY, "CoLES: margin contrastive loss on all positive pairs + hard negatives (margin 0.5, 5 per anchor).")]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the event-log reader and the bundled simulated transactions."""
    datasets = f"{PACKAGE}.datasets"
    return [
        Component("events", f"{datasets}.files:load_events", MODALITY, "Entities from a CSV/Parquet event log (data.path, data.id_column, data.time_column …), labels from a file or column."),
        Component("events-transactions", f"{datasets}.bundled:transactions", MODALITY, "Simulated card transactions (4 segments + churn), written as Parquet and CSV on first use."),
    ]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return how entities' events are written to shards."""
    return [Component("events", f"{PACKAGE}.datasets.codec:events_codec", MODALITY, "Entities' events as .npy members per field (time, categorical, numeric).")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return the recipes in ``recipes/*.toml``."""
    return [Recipe(p.stem, p, MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
