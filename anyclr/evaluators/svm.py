"""SVM protocols on frozen features: TS2Vec's (train -> test, C by 5-fold CV) and GraphCL's (k-fold CV over all)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.svm import SVC

from anyclr.core.errors import AnyclrError
from anyclr.evaluators.checks import check_pair

TS2VEC_CS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0, 10000.0, float("inf"))
GRAPHCL_CS = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)


def _grid(Cs: Sequence[float] | float, key: str) -> list[float]:
    Cs = [float(c) for c in (Cs if isinstance(Cs, (list, tuple)) else [Cs])]
    if not Cs or min(Cs) <= 0:
        raise AnyclrError(f"eval.{key} must be a list of positive numbers (inf allowed), got {Cs}.")
    return Cs


def _quiet_fit(model, x: np.ndarray, y: np.ndarray):  # noqa: ANN001, ANN202 - any sklearn estimator
    with warnings.catch_warnings():
        # Small classes make sklearn warn that some CV folds lack them; the protocol accepts that.
        warnings.filterwarnings("ignore", message="The least populated class")
        return model.fit(x, y)


class SVMProtocol:
    """Callable evaluator: TS2Vec's SVM protocol (Yue et al. 2022, ``tasks/_eval_protocols.fit_svm``).

    An RBF SVC (``gamma='scale'``) is trained on the training features; when the training set has at
    least ``min_samples`` samples and ``min_per_class`` per class on average, C is chosen from ``Cs``
    by ``folds``-fold cross-validation (the training set is first subsampled, stratified, to
    ``max_samples``), otherwise C is TS2Vec's fallback, infinity (a hard margin). Reports test accuracy.
    """

    def __init__(
        self,
        Cs: Sequence[float] = TS2VEC_CS,
        folds: int = 5,
        min_samples: int = 50,
        min_per_class: int = 5,
        max_samples: int = 10000,
        fallback_C: float = float("inf"),
        n_jobs: int = 1,
    ) -> None:
        self.Cs = _grid(Cs, "svm_Cs")
        if folds < 2:
            raise AnyclrError(f"eval.svm_folds must be at least 2, got {folds}.")
        if fallback_C <= 0:
            raise AnyclrError(f"eval.svm_fallback_C must be positive, got {fallback_C}.")
        self.folds = int(folds)
        self.min_samples = int(min_samples)
        self.min_per_class = int(min_per_class)
        self.max_samples = int(max_samples)
        self.fallback_C = float(fallback_C)
        self.n_jobs = int(n_jobs)

    def __repr__(self) -> str:
        return f"SVMProtocol(Cs={self.Cs}, folds={self.folds})"

    def searches(self, y: np.ndarray) -> bool:
        """Return True if the training labels ``y`` allow the cross-validated grid over C."""
        n_classes = len(np.unique(y))
        return len(y) >= self.min_samples and len(y) // n_classes >= self.min_per_class

    def fit(self, x: np.ndarray, y: np.ndarray) -> SVC:
        """Fit the SVC on training features, choosing C by cross-validation when the data allow."""
        if not self.searches(y):
            return _quiet_fit(SVC(C=self.fallback_C, gamma="scale"), x, y)
        if len(y) > self.max_samples:
            x, _, y, _ = train_test_split(x, y, train_size=self.max_samples, random_state=0, stratify=y)
        search = GridSearchCV(SVC(gamma="scale"), {"C": self.Cs}, cv=self.folds, n_jobs=self.n_jobs)
        return _quiet_fit(search, x, y).best_estimator_

    def __call__(self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> dict[str, float]:
        """Return ``{"svm_top1": test accuracy}``; samples labelled -1 are ignored."""
        train_x, train_y, test_x, test_y = check_pair(train_x, train_y, test_x, test_y, "SVM")
        classes = np.unique(train_y)
        if len(classes) == 1:  # an SVC needs two classes; the only sensible prediction is that one
            return {"svm_top1": float(np.mean(test_y == classes[0]))}
        return {"svm_top1": float(self.fit(train_x, train_y).score(test_x, test_y))}


class SVMCrossValidation:
    """Callable evaluator: GraphCL's protocol (You et al. 2020; InfoGraph's ``svc_classify``).

    Train and test features are pooled; stratified ``folds``-fold cross-validation fits an RBF SVC on
    each training part, with C chosen from ``Cs`` by an inner 5-fold search, and scores the held-out
    part. Reports the mean and standard deviation of the fold accuracies. When the smallest class has
    fewer members than ``folds``, the fold count drops to that size (with a warning saying so).
    """

    def __init__(self, folds: int = 10, Cs: Sequence[float] = GRAPHCL_CS, search: bool = True, seed: int = 0) -> None:
        if folds < 2:
            raise AnyclrError(f"eval.svm_cv_folds must be at least 2, got {folds}.")
        self.folds = int(folds)
        self.Cs = _grid(Cs, "svm_cv_Cs")
        self.search = bool(search)
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"SVMCrossValidation(folds={self.folds}, Cs={self.Cs}, search={self.search})"

    def _classifier(self, y: np.ndarray) -> SVC | GridSearchCV:
        inner = min(5, int(np.unique(y, return_counts=True)[1].min()))
        if self.search and len(self.Cs) > 1 and inner >= 2:
            return GridSearchCV(SVC(), {"C": self.Cs}, cv=inner, scoring="accuracy")
        return SVC(C=self.Cs[0] if len(self.Cs) == 1 else 10.0)  # GraphCL's C without the search

    def __call__(self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> dict[str, float]:
        """Return ``{"svm_top1": mean fold accuracy, "svm_std": its standard deviation}`` over all samples."""
        train_x, train_y, test_x, test_y = check_pair(train_x, train_y, test_x, test_y, "SVM (cross-validation)")
        x, y = np.concatenate([train_x, test_x]), np.concatenate([train_y, test_y])
        counts = np.unique(y, return_counts=True)[1]
        if len(counts) == 1:
            return {"svm_top1": 1.0, "svm_std": 0.0}
        folds = self.folds
        if counts.min() < folds:
            folds = max(2, int(counts.min()))
            warnings.warn(
                f"svm_cv: the smallest class has {counts.min()} samples, fewer than {self.folds} folds; using {folds} folds.",
                stacklevel=2,
            )
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.seed)
        scores = []
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The least populated class")
            for tr, te in splitter.split(x, y):
                model = _quiet_fit(self._classifier(y[tr]), x[tr], y[tr])
                scores.append(float(model.score(x[te], y[te])))
        return {"svm_top1": float(np.mean(scores)), "svm_std": float(np.std(scores))}


def svm(
    Cs: Sequence[float] = TS2VEC_CS,
    folds: int = 5,
    min_samples: int = 50,
    min_per_class: int = 5,
    max_samples: int = 10000,
    fallback_C: float = float("inf"),
    n_jobs: int = 1,
) -> SVMProtocol:
    """TS2Vec's protocol: RBF SVM on train, C by 5-fold CV when the training set allows; reports svm_top1 on test."""
    return SVMProtocol(Cs, folds, min_samples, min_per_class, max_samples, fallback_C, n_jobs)


def svm_cv(folds: int = 10, Cs: Sequence[float] = GRAPHCL_CS, search: bool = True, seed: int = 0) -> SVMCrossValidation:
    """GraphCL's protocol: stratified k-fold CV of an RBF SVM over train+test; reports svm_top1 and svm_std."""
    return SVMCrossValidation(folds=folds, Cs=Cs, search=search, seed=seed)
