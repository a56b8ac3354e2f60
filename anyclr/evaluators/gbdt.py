"""Gradient-boosted trees on frozen features: scikit-learn's HistGradientBoostingClassifier, early-stopped."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from anyclr.core.errors import AnyclrError
from anyclr.evaluators.checks import check_pair
from anyclr.evaluators.threads import like_torch


class GBDTProbe:
    """Callable evaluator: test accuracy of histogram gradient boosting trained on frozen features.

    Boosting stops early on a ``val_fraction`` split of the training set (when it has at least 2 samples
    per class there); trees see the features as they are, so no scaling is needed.
    """

    def __init__(self, max_iter: int = 300, learning_rate: float = 0.1, max_leaf_nodes: int = 31, val_fraction: float = 0.1, seed: int = 0) -> None:
        if max_iter < 1:
            raise AnyclrError(f"eval.gbdt_max_iter must be at least 1, got {max_iter}.")
        if learning_rate <= 0:
            raise AnyclrError(f"eval.gbdt_learning_rate must be positive, got {learning_rate}.")
        if not 0 < val_fraction < 1:
            raise AnyclrError(f"eval.gbdt_val_fraction must be between 0 and 1, got {val_fraction}.")
        self.max_iter = int(max_iter)
        self.learning_rate = float(learning_rate)
        self.max_leaf_nodes = int(max_leaf_nodes)
        self.val_fraction = float(val_fraction)
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"GBDTProbe(max_iter={self.max_iter}, learning_rate={self.learning_rate}, max_leaf_nodes={self.max_leaf_nodes})"

    def __call__(self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> dict[str, float]:
        """Return ``{"gbdt_top1": accuracy}``; samples labelled -1 are ignored."""
        train_x, train_y, test_x, test_y = check_pair(train_x, train_y, test_x, test_y, "GBDT probe")
        classes, counts = np.unique(train_y, return_counts=True)
        if len(classes) == 1:
            return {"gbdt_top1": float(np.mean(test_y == classes[0]))}
        early = counts.min() * self.val_fraction >= 2
        model = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            early_stopping=bool(early), validation_fraction=self.val_fraction if early else None, random_state=self.seed,
        )  # fmt: skip
        with like_torch():
            model.fit(train_x, train_y)
            return {"gbdt_top1": float(model.score(test_x, test_y))}


def gbdt(max_iter: int = 300, learning_rate: float = 0.1, max_leaf_nodes: int = 31, val_fraction: float = 0.1, seed: int = 0) -> GBDTProbe:
    """HistGradientBoosting on frozen features, early-stopped on a validation split; reports gbdt_top1."""
    return GBDTProbe(max_iter=max_iter, learning_rate=learning_rate, max_leaf_nodes=max_leaf_nodes, val_fraction=val_fraction, seed=seed)
