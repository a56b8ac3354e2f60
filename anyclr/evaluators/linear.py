"""Linear probe: logistic regression (L-BFGS) on standardised frozen features, C chosen on a validation split."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from anyclr.core.validate import number, whole
from anyclr.evaluators.checks import check_grid, check_pair, check_setting
from anyclr.evaluators.threads import like_torch


class LinearProbe:
    """Callable evaluator: test accuracy of a logistic regression trained on frozen features."""

    def __init__(
        self,
        Cs: Sequence[float] = (0.01, 0.1, 1.0, 10.0),
        val_fraction: float = 0.2,
        max_iter: int = 500,
        seed: int = 0,
    ) -> None:
        self.Cs = check_grid("linear_Cs", Cs)
        check_setting("linear_val_fraction", val_fraction, number(0, 1, above=True, below=True))
        check_setting("linear_max_iter", max_iter, whole(1))
        check_setting("linear_seed", seed, whole(0))
        self.val_fraction = float(val_fraction)
        self.max_iter = int(max_iter)
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"LinearProbe(Cs={self.Cs}, val_fraction={self.val_fraction}, max_iter={self.max_iter})"

    def _fit(self, x: np.ndarray, y: np.ndarray, C: float) -> Pipeline:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=self.max_iter))
        with warnings.catch_warnings():
            # Not converging within max_iter still gives a usable probe; the warning is only noise.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)
        return model

    def select_C(self, x: np.ndarray, y: np.ndarray) -> float:
        """Return the C with the best accuracy on a stratified validation split of the training set."""
        classes, counts = np.unique(y, return_counts=True)
        n_val = int(round(len(y) * self.val_fraction))
        middle = sorted(self.Cs)[len(self.Cs) // 2]
        if len(self.Cs) == 1 or counts.min() < 2 or n_val < len(classes) or len(y) - n_val < len(classes):
            return middle  # too few samples to validate: take the middle of the grid
        x_tr, x_val, y_tr, y_val = train_test_split(x, y, test_size=n_val, stratify=y, random_state=self.seed)
        scaler = StandardScaler().fit(x_tr)
        x_tr, x_val = scaler.transform(x_tr), scaler.transform(x_val)
        # Walking the grid from strong to weak regularisation, each fit starts from the previous solution.
        model = LogisticRegression(max_iter=self.max_iter, warm_start=True)
        best_C, best_score = middle, -1.0
        for C in sorted(self.Cs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.set_params(C=C).fit(x_tr, y_tr)
            score = model.score(x_val, y_val)
            if score > best_score:  # ties keep the stronger regularisation
                best_C, best_score = C, score
        return best_C

    def __call__(
        self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray
    ) -> dict[str, float]:
        """Return ``{"linear_top1": accuracy}``; training samples with label -1 are ignored."""
        train_x, train_y, test_x, test_y = check_pair(train_x, train_y, test_x, test_y, "Linear probe")
        classes = np.unique(train_y)
        if len(classes) == 1:  # logistic regression needs two classes; the only sensible prediction is that one
            return {"linear_top1": float(np.mean(test_y == classes[0]))}
        with like_torch():
            C = self.select_C(train_x, train_y)
            model = self._fit(train_x, train_y, C)
            return {"linear_top1": float(model.score(test_x, test_y))}


def linear(
    Cs: Sequence[float] = (0.01, 0.1, 1.0, 10.0), val_fraction: float = 0.2, max_iter: int = 500, seed: int = 0
) -> LinearProbe:
    """Logistic regression on standardised features, C picked on a validation split, then refit; reports linear_top1."""
    return LinearProbe(Cs=Cs, val_fraction=val_fraction, max_iter=max_iter, seed=seed)
