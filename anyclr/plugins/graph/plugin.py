"""Registers the graph plug-in's components and recipes through the ``anyclr`` entry point."""

from __future__ import annotations

from pathlib import Path

from anyclr.core.components import Component, Recipe
from anyclr.core.hookspecs import hookimpl

MODALITY = "graph"
RECIPES = Path(__file__).parent / "recipes"


@hookimpl
def anyclr_views() -> list[Component]:
    """Return the graph view generator."""
    from anyclr.plugins.graph.views.graph_views import GraphViews

    return [
        Component(
            "graph-augment",
            GraphViews,
            modality=MODALITY,
            summary="Tuned graph views: one augmentation per graph drawn from a list (GraphCL), or all in turn (GRACE); views drawn in one pass.",
        )
    ]


@hookimpl
def anyclr_augmentations() -> list[Component]:
    """Return the graph augmentations (each samples its masks for a whole PyG Batch, then applies them)."""
    from anyclr.plugins.graph.views.attr_mask import AttributeMask
    from anyclr.plugins.graph.views.diffusion import Diffusion
    from anyclr.plugins.graph.views.edge_perturb import EdgePerturb
    from anyclr.plugins.graph.views.feature_noise import FeatureNoise
    from anyclr.plugins.graph.views.identity import Identity
    from anyclr.plugins.graph.views.node_drop import NodeDrop
    from anyclr.plugins.graph.views.one_of import OneOf
    from anyclr.plugins.graph.views.rw_subgraph import RandomWalkSubgraph

    return [
        Component("graph-node-drop", NodeDrop, modality=MODALITY, summary="Drop a fraction of each graph's nodes (GraphCL)."),
        Component("graph-subgraph", RandomWalkSubgraph, modality=MODALITY, summary="Keep a connected region grown by random walks from a random seed (GraphCL)."),
        Component("graph-edge-perturb", EdgePerturb, modality=MODALITY, summary="Drop edges and add random ones within each graph (GraphCL, GRACE)."),
        Component("graph-attr-mask", AttributeMask, modality=MODALITY, summary="Mask whole nodes' features (GraphCL) or feature columns per graph (GRACE)."),
        Component("graph-feature-noise", FeatureNoise, modality=MODALITY, summary="Add Gaussian noise to node features."),
        Component("graph-diffusion", Diffusion, modality=MODALITY, summary="Replace edges by the PPR or heat-kernel diffusion matrix (MVGRL)."),
        Component("graph-identity", Identity, modality=MODALITY, summary="Leave graphs unchanged (a member of a random choice, or an unchanged view)."),
        Component("graph-one-of", OneOf, modality=MODALITY, summary="Per graph, one augmentation drawn from a list (GraphCL's random choice)."),
    ]


@hookimpl
def anyclr_backbones() -> list[Component]:
    """Return the graph encoders."""
    from anyclr.plugins.graph.encoders.gat import gat
    from anyclr.plugins.graph.encoders.gcn import gcn
    from anyclr.plugins.graph.encoders.gin import gin
    from anyclr.plugins.graph.encoders.sage import graphsage

    return [
        Component("gin", gin, modality=MODALITY, summary="GIN layers (GraphCL/InfoGraph encoder), all layers concatenated, sum readout."),
        Component("gcn", gcn, modality=MODALITY, summary="GCN layers (GRACE encoder); node or pooled graph embeddings."),
        Component("gat", gat, modality=MODALITY, summary="GAT layers: multi-head attention over neighbours."),
        Component("graphsage", graphsage, modality=MODALITY, summary="GraphSAGE layers: own features plus aggregated neighbours."),
    ]


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the graph objectives."""
    from anyclr.plugins.graph.objectives.grace import GRACE
    from anyclr.plugins.graph.objectives.graphcl import GraphCL
    from anyclr.plugins.graph.objectives.infograph import InfoGraph
    from anyclr.plugins.graph.objectives.simgrace import SimGRACE

    return [
        Component("graphcl", GraphCL, modality=MODALITY, summary="GraphCL NT-Xent between two views of each graph (τ 0.2)."),
        Component("grace", GRACE, modality=MODALITY, summary="GRACE node-level contrast with inter- and intra-view negatives."),
        Component("infograph", InfoGraph, modality=MODALITY, summary="InfoGraph local-global mutual information (JSD), optionally plus GraphCL."),
        Component("simgrace", SimGRACE, modality=MODALITY, summary="SimGRACE: contrast with a weight-perturbed copy of the encoder (no data augmentation)."),
    ]


@hookimpl
def anyclr_datasets() -> list[Component]:
    """Return the graph dataset readers."""
    from anyclr.plugins.graph.datasets.edgelist import edgelist
    from anyclr.plugins.graph.datasets.networkx import networkx
    from anyclr.plugins.graph.datasets.tu import tu

    return [
        Component("tu", tu, modality=MODALITY, summary="TU-format graph classification folder (or bundled:MUTAG from grakel); no download."),
        Component(
            "edgelist", edgelist, modality=MODALITY,
            summary="Node classification: edge list + node features + node labels files (or bundled:karate-club).",
        ),
        Component("networkx", networkx, modality=MODALITY, summary="Node classification from a GraphML/GML/GEXF/edge-list file read by networkx."),
    ]


@hookimpl
def anyclr_codecs() -> list[Component]:
    """Return how graph samples are written to shards."""
    from anyclr.plugins.graph.datasets.codec import graph_codec

    return [Component("graph", graph_codec, modality=MODALITY, summary="PyG graphs as one .npy file per tensor attribute in shards.")]


@hookimpl
def anyclr_recipes() -> list[Recipe]:
    """Return every recipe file in ``recipes/``."""
    return [Recipe(p.stem, p, modality=MODALITY) for p in sorted(RECIPES.glob("*.toml"))]
