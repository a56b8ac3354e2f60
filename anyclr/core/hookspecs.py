"""The whole contract between anyclr and its plug-ins.

A plug-in is any importable object (usually a module) that implements some of the hooks below
and is named by an entry point in the group ``anyclr``::

    [project.entry-points.anyclr]
    myplugin = "my_package.plugin"

The built-in plug-ins (``anyclr.plugins.image`` and friends) register the same way; the entry points
of the ``anyclr`` distribution itself are the built-ins.

Component hooks return a list of :class:`~anyclr.core.components.Component` (or
:class:`~anyclr.core.components.Recipe`). Declare each factory by its import string, so that listing
(``anyclr plugins``, ``anyclr components``, ``anyclr recipes``) imports nothing heavy::

    @hookimpl
    def anyclr_views():
        return [Component("my-noise", "my_package.noise:NoiseViews", modality="image", summary="...")]

The module is imported on first use of the component; until then its parameters and docstring are
read from the source file (a plain top-level function or class with literal defaults; anything else is
imported to be described). Finding that file imports the module's parent packages, so keep their
``__init__.py`` light, like the plug-in module itself: no torch import at their top, and no expensive
work in component hooks, which run every time anyclr starts. A factory given as a callable
works too, but importing it in the hook makes every ``anyclr`` command pay for that import.

A component's factory is called with the keys of its recipe section as keyword arguments; keys of
the dataset's ``info`` dict (``in_channels``, ``image_size``, ``num_classes`` …) are passed too when
the factory names them as parameters and the recipe does not set them. The factories must return:

- view: a :class:`~anyclr.core.views.ViewGenerator` — ``views(inputs) -> list`` of ``n_views``
  batched views, drawn on the inputs' device with per-sample random parameters. A view factory with an
  ``augmentations`` parameter receives the recipe's augmentation tables built as
  :class:`~anyclr.core.views.Step` lists (``[views] name = "compose"`` is the generic one).
- augmentation: an :class:`~anyclr.core.views.Augmentation` — ``sample(inputs, generator) -> params``
  for a whole batch, then ``apply(inputs, params)``.
- backbone: an ``nn.Module`` with an ``out_dim: int`` attribute; ``forward(inputs) -> h``.
  ``h`` may be ``[B, D]`` or richer (per-timestamp ``[B, T, D]``, per-node …); then the backbone
  also has ``pool(h) -> [B, D]``, used for evaluation.
- head: an ``nn.Module`` built from ``in_dim`` (the backbone's ``out_dim``); ``forward(h) -> z``.
- objective: an :class:`~anyclr.core.objective.Objective`.
- dataset: a :class:`~anyclr.core.data.DataBundle`.
- codec: a :class:`~anyclr.core.codec.SampleCodec` — how one sample of a modality is written to a
  WebDataset shard and read back (``encode(input) -> {extension: bytes}``, ``decode``).
- evaluator: a callable ``(train_x, train_y, test_x, test_y) -> dict[str, float]`` on numpy
  features and integer labels; the factory takes the evaluator's parameters. (``retrieval`` is the one
  exception: it is called with two streams' paired embeddings, ``(query, gallery)``.) A callable with
  ``needs_labels = False`` (RankMe) ignores labels and is reported once, not once per label column.

Standard ``info`` keys. A dataset's ``DataBundle.info`` uses these names wherever they apply, so that any
view, backbone or objective can ask for them by parameter name (the core injects them):

- ``modality``: the plug-in's modality (``image``, ``timeseries``, ``graph`` …; ``paired`` for paired data).
- ``in_channels``: width of one input element: image channels, series channels, node-feature width.
- ``num_classes`` and ``class_names``: the label set (``class_names[label]``), when the data has labels.
- ``image_size`` (images), ``seq_len`` (series, the padded length), ``level`` (graphs: ``graph`` or ``node``),
  ``edge_dim`` (graphs: edge-feature width, 0 without).
- ``mean`` and ``std``: per-channel input statistics, when the plug-in's encoders standardise with them.
- ``codec``: the name of the codec component that writes this data's samples to shards (default ``tensor``).
- ``extra_labels``: metadata columns evaluated as labels besides ``label`` (a video's motion next to its
  appearance class): every protocol reports them separately as ``<column>/<metric>``.
- ``raw_features``: what the bundle's ``raw_features`` compute, when more than the flattened input (e.g.
  ``"mean and std of 20 MFCCs with deltas"``): the ``raw_input`` baseline is then that classical baseline.
Per-sample metadata (labels, and ``group``/``id`` where known) is not in ``info``: datasets declare it
through ``sample_metadata()`` (see :mod:`anyclr.core.data`). Paired data keeps one ``info`` per stream in
``DataBundle.streams``.

Names: the built-in plug-ins keep the plain name of a component; a third-party component with a taken
name (a built-in's, or an earlier third-party plug-in's in name order) is registered as
``<plugin>:<name>`` (listed so by ``anyclr components``) and a warning says so. Every component also
answers to ``<plugin>:<name>`` wherever a name is accepted (recipes, ``anyclr show``). A third-party
entry point named like a built-in plug-in is loaded as ``<distribution>:<name>``, never in its place.

Lifecycle hooks (``anyclr_train_start``, ``anyclr_step_end``, ``anyclr_epoch_end``,
``anyclr_train_end``, ``anyclr_cli``) receive a :class:`~anyclr.core.trainer.TrainContext` (or the Typer
app) and return nothing. They are called one plug-in at a time (plain implementations; hook wrappers are
not supported): a plug-in whose hook raises is reported once on stderr and disabled for the rest of the
process, and the run goes on (Ctrl-C still stops it). A plug-in that failed to import, or whose component hooks raised, is
listed as broken by ``anyclr plugins`` and none of its hooks are called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer

    from anyclr.core.components import Component, Recipe

hookspec = pluggy.HookspecMarker("anyclr")
hookimpl = pluggy.HookimplMarker("anyclr")


@hookspec
def anyclr_views() -> list[Component]:
    """Called once when plug-ins load. Return the view generators this plug-in provides."""


@hookspec
def anyclr_augmentations() -> list[Component]:
    """Called once when plug-ins load. Return the augmentations (sample, then apply) this plug-in provides."""


@hookspec
def anyclr_backbones() -> list[Component]:
    """Called once when plug-ins load. Return the backbones (encoder bodies) this plug-in provides."""


@hookspec
def anyclr_heads() -> list[Component]:
    """Called once when plug-ins load. Return the heads (projectors, predictors) this plug-in provides."""


@hookspec
def anyclr_objectives() -> list[Component]:
    """Called once when plug-ins load. Return the objectives (losses with their state) this plug-in provides."""


@hookspec
def anyclr_datasets() -> list[Component]:
    """Called once when plug-ins load. Return the dataset readers this plug-in provides."""


@hookspec
def anyclr_codecs() -> list[Component]:
    """Called once when plug-ins load. Return the sample codecs (how samples are stored in shards) this plug-in provides."""


@hookspec
def anyclr_evaluators() -> list[Component]:
    """Called once when plug-ins load. Return the evaluation protocols this plug-in provides."""


@hookspec
def anyclr_recipes() -> list[Recipe]:
    """Called once when plug-ins load. Return the TOML recipes this plug-in ships."""


@hookspec
def anyclr_train_start(context: Any) -> None:
    """Called after the model, data and optimiser are built and before the first step (resume included)."""


@hookspec
def anyclr_step_end(context: Any, step: int, loss: float) -> None:
    """Called after every optimiser step with the global step number and the step's loss."""


@hookspec
def anyclr_epoch_end(context: Any, epoch: int, metrics: dict[str, float]) -> None:
    """Called after each epoch (1-based) with that epoch's logged metrics; the checkpoint is already written."""


@hookspec
def anyclr_train_end(context: Any, summary: dict[str, Any]) -> None:
    """Called once training and evaluation are done, with the run's summary (as in ``summary.json``)."""


@hookspec
def anyclr_cli(app: typer.Typer) -> None:
    """Called when the CLI starts. Add commands to the ``anyclr`` Typer app with ``app.command()``."""
