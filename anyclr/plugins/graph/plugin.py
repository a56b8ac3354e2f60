"""Registers the graph plug-in's components and recipes through the ``anyclr`` entry point (``graph``).

Factories are named by import string and imported on first use, so listing them imports neither torch
nor torch-geometric. Without torch-geometric installed the plug-in is listed as broken, with the fix.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

MODALITY = "graph"
PACKAGE = "anyclr.plugins.graph"
RECIPES = Path(__file__).parent / "recipes"

if importlib.util.find_spec("torch_geometric") is None:  # found without importing it
    raise ModuleNotFoundError("the graph plug-in needs torch-geometric: pip install 'anyclr[graph]'")


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the graph view generator."""
    return [
        Component(
            "graph-augment",
            f"{PACKAGE}.views.graph_views:GraphViews",
            modality=MODALITY,
            summary="Tuned graph views: one augmentation per graph drawn from a list (GraphCL), or all in turn (GRACE); views drawn in one pass.",
        )
    ]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the graph augmentations (each samples its masks for a whole PyG Batch, then applies them)."""
    return [
        Component("graph-node-drop", "anyclr.plugins.graph.views.node_drop:NodeDrop", modality=MODALITY, summary="Drop a fraction of each graph's nodes (GraphCL)."),
        Component("graph-subgraph", "anyclr.plugins.graph.views.rw_subgraph:RandomWalkSubgraph", modality=MODALITY, summary="Keep a connected region grown by random walks from a random seed (GraphCL)."),
        Component("graph-edge-perturb", "anyclr.plugins.graph.views.edge_perturb:EdgePerturb", modality=MODALITY, summary="Drop edges and add random ones within each graph (GraphCL, GRACE)."),
        Component("graph-attr-mask", "anyclr.plugins.graph.views.attr_mask:AttributeMask", modality=MODALITY, summary="Mask whole nodes' features (GraphCL) or feature columns per graph (GRACE)."),
        Component("graph-feature-noise", "anyclr.plugins.graph.views.feature_noise:FeatureNoise", modality=MODALITY, summary="Add Gaussian noise to node features."),
        Component("graph-diffusion", "anyclr.plugins.graph.views.diffusion:Diffusion", modality=MODALITY, summary="Replace edges by the PPR or heat-kernel diffusion matrix (MVGRL)."),
        Component("graph-identity", "anyclr.plugins.graph.views.identity:Identity", modality=MODALITY, summary="Leave graphs unchanged (a member of a random choice, or an unchanged view)."),
        Component("graph-one-of", "anyclr.plugins.graph.views.one_of:OneOf", modality=MODALITY, summary="Per graph, one augmentation drawn from a list (GraphCL's random choice)."),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the graph encoders."""
    encoders = f"{PACKAGE}.encoders"
    return [
        Component("gin", f"{encoders}.gin:gin", modality=MODALITY, summary="GIN layers (GraphCL/InfoGraph encoder), all layers concatenated, sum readout."),
        Component("gcn", f"{encoders}.gcn:gcn", modality=MODALITY, summary="GCN layers (GRACE encoder); node or pooled graph embeddings."),
        Component("gat", f"{encoders}.gat:gat", modality=MODALITY, summary="GAT layers: multi-head attention over neighbours."),
        Component("graphsage", f"{encoders}.sage:graphsage", modality=MODALITY, summary="GraphSAGE layers: own features plus aggregated neighbours."),
    ]


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the graph objectives."""
    objectives = f"{PACKAGE}.objectives"
    return [
        Component("graphcl", f"{objectives}.graphcl:GraphCL", modality=MODALITY, summary="GraphCL NT-Xent between two views of each graph (τ 0.2)."),
        Component("grace", f"{objectives}.grace:GRACE", modality=MODALITY, summary="GRACE node-level contrast with inter- and intra-view negatives."),
        Component(
            "infograph", f"{objectives}.infograph:InfoGraph", modality=MODALITY,
            summary="InfoGraph local-global mutual information (JSD), optionally plus GraphCL.",
        ),
        Component(
            "simgrace", f"{objectives}.simgrace:SimGRACE", modality=MODALITY,
            summary="SimGRACE: contrast with a weight-perturbed copy of the encoder (no data augmentation).",
        ),
    ]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the graph dataset readers."""
    datasets = f"{PACKAGE}.datasets"
    return [
        Component("tu", f"{datasets}.tu:tu", modality=MODALITY, summary="TU-format graph classification folder (or bundled:MUTAG from grakel); no download."),
        Component(
            "edgelist", f"{datasets}.edgelist:edgelist", modality=MODALITY,
            summary="Node classification: edge list + node features + node labels files (or bundled:karate-club).",
        ),
        Component(
            "networkx", f"{datasets}.networkx:networkx", modality=MODALITY,
            summary="Node classification from a GraphML/GML/GEXF/edge-list file read by networkx.",
        ),
    ]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return how graph samples are written to shards."""
    return [Component("graph", "anyclr.plugins.graph.datasets.codec:graph_codec", modality=MODALITY, summary="PyG graphs as one .npy file per tensor attribute in shards.")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return every recipe file in ``recipes/``."""
    return [Recipe(p.stem, p, modality=MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
