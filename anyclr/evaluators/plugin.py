"""Registers the built-in evaluators (modality-agnostic) through the ``anyclr`` entry point (``evaluators``).

Factories are named by import string and imported on first use, so listing them imports no scikit-learn.
"""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_evaluators() -> list[Component]:
    """Return the built-in evaluation protocols."""
    return [
        Component("knn", "anyclr.evaluators.knn:knn", summary="Weighted kNN on cosine similarity (k, temperature); reports knn_top1."),
        Component("linear", "anyclr.evaluators.linear:linear", summary="Logistic regression on standardised features, C chosen on a validation split; linear_top1."),
        Component("rankme", "anyclr.evaluators.rankme:rankme", summary="RankMe: effective rank of the embedding matrix (no labels needed)."),
        Component("svm", "anyclr.evaluators.svm:svm", summary="RBF SVM with a grid over C by 5-fold CV (TS2Vec protocol); svm_top1."),
        Component("retrieval", "anyclr.evaluators.retrieval:retrieval", summary="Paired streams: recall@1/5/10 of each item's pair by cosine similarity, both directions."),
        Component("gbdt", "anyclr.evaluators.gbdt:gbdt", summary="Gradient-boosted trees (scikit-learn HistGradientBoosting), early-stopped; gbdt_top1."),
        Component("svm_cv", "anyclr.evaluators.svm:svm_cv", summary="SVM accuracy by stratified k-fold CV over all samples (GraphCL protocol); svm_top1."),
    ]
