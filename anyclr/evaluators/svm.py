"""SVM protocols on frozen features: TS2Vec's (train -> test, C by 5-fold CV) and GraphCL's (k-fold CV over all).

libsvm has no iteration limit of its own in scikit-learn, and a hard margin (C = inf, TS2Vec's choice)
on features that cannot be separated — identical features with different labels, as a collapsed
encoder gives — never converges. So every fit stops after ``max_iter`` iterations (with a warning), and
features that are all the same get the majority class without calling libsvm at all.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.svm import SVC

from anyclr.core.validate import Rule, whole
from anyclr.evaluators.checks import check_grid, check_pair, check_setting

TS2VEC_CS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0, 10000.0, float("inf"))
GRAPHCL_CS = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)
MAX_ITER = 1_000_000  # libsvm iterations per fit: seconds for thousands of samples, and never a hang


def _quiet_fit(model, x: np.ndarray, y: np.ndarray, protocol: str, max_iter: int):  # noqa: ANN001, ANN202 - any sklearn estimator
    """Fit ``model``, hiding sklearn's small-class notes and turning libsvm's early stops into one clear warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = model.fit(x, y)
    stopped = False
    for w in caught:
        if issubclass(w.category, ConvergenceWarning) and "max_iter" in str(w.message):
            stopped = True
        elif "The least populated class" not in str(w.message):  # small classes: the protocol accepts that
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if stopped:
        warnings.warn(
            f"{protocol}: libsvm stopped after eval.{protocol}_max_iter = {max_iter} iterations without converging "
            "(features that barely separate the classes); the accuracy is that of the unconverged fit.",
            stacklevel=3,
        )
    return fitted


def _constant(x: np.ndarray) -> bool:
    """Return True if every row of ``x`` is the same (nothing for an SVM to separate)."""
    return bool(len(x) == 0 or (x == x[0]).all())


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
        max_iter: int = MAX_ITER,
    ) -> None:
        self.Cs = check_grid("svm_Cs", Cs, allow_inf=True)
        check_setting("svm_folds", folds, whole(2))
        check_setting("svm_min_samples", min_samples, whole(0))
        check_setting("svm_min_per_class", min_per_class, whole(0))
        check_setting("svm_max_samples", max_samples, whole(2))
        self.fallback_C = check_grid("svm_fallback_C", fallback_C, allow_inf=True)[0]
        check_setting("svm_n_jobs", n_jobs, whole(-1))
        self.max_iter = check_setting("svm_max_iter", max_iter, whole(1))
        self.folds = int(folds)
        self.min_samples = int(min_samples)
        self.min_per_class = int(min_per_class)
        self.max_samples = int(max_samples)
        self.n_jobs = int(n_jobs)

    def __repr__(self) -> str:
        return f"SVMProtocol(Cs={self.Cs}, folds={self.folds})"

    def searches(self, y: np.ndarray) -> bool:
        """Return True if the training labels ``y`` allow the cross-validated grid over C."""
        n_classes = len(np.unique(y))
        return len(y) >= self.min_samples and len(y) // n_classes >= self.min_per_class

    def fit(self, x: np.ndarray, y: np.ndarray) -> SVC:
        """Fit the SVC on training features, choosing C by cross-validation when the data allow."""
        if _constant(x):
            return DummyClassifier(strategy="most_frequent").fit(x, y)
        if not self.searches(y):
            return _quiet_fit(SVC(C=self.fallback_C, gamma="scale", max_iter=self.max_iter), x, y, "svm", self.max_iter)
        if len(y) > self.max_samples:
            x, _, y, _ = train_test_split(x, y, train_size=self.max_samples, random_state=0, stratify=y)
        search = GridSearchCV(SVC(gamma="scale", max_iter=self.max_iter), {"C": self.Cs}, cv=self.folds, n_jobs=self.n_jobs)
        return _quiet_fit(search, x, y, "svm", self.max_iter).best_estimator_

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

    def __init__(
        self, folds: int = 10, Cs: Sequence[float] = GRAPHCL_CS, search: bool = True, seed: int = 0, max_iter: int = MAX_ITER
    ) -> None:
        check_setting("svm_cv_folds", folds, whole(2))
        self.folds = int(folds)
        self.Cs = check_grid("svm_cv_Cs", Cs, allow_inf=True)
        self.search = check_setting("svm_cv_search", search, Rule("flag"))
        self.seed = int(check_setting("svm_cv_seed", seed, whole(0)))
        self.max_iter = check_setting("svm_cv_max_iter", max_iter, whole(1))

    def __repr__(self) -> str:
        return f"SVMCrossValidation(folds={self.folds}, Cs={self.Cs}, search={self.search})"

    def _classifier(self, x: np.ndarray, y: np.ndarray) -> SVC | GridSearchCV | DummyClassifier:
        if _constant(x):
            return DummyClassifier(strategy="most_frequent")
        inner = min(5, int(np.unique(y, return_counts=True)[1].min()))
        if self.search and len(self.Cs) > 1 and inner >= 2:
            return GridSearchCV(SVC(max_iter=self.max_iter), {"C": self.Cs}, cv=inner, scoring="accuracy")
        return SVC(C=self.Cs[0] if len(self.Cs) == 1 else 10.0, max_iter=self.max_iter)  # GraphCL's C without the search

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
                model = _quiet_fit(self._classifier(x[tr], y[tr]), x[tr], y[tr], "svm_cv", self.max_iter)
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
    max_iter: int = MAX_ITER,
) -> SVMProtocol:
    """TS2Vec's protocol: RBF SVM on train, C by 5-fold CV when the training set allows; reports svm_top1 on test."""
    return SVMProtocol(Cs, folds, min_samples, min_per_class, max_samples, fallback_C, n_jobs, max_iter)


def svm_cv(
    folds: int = 10, Cs: Sequence[float] = GRAPHCL_CS, search: bool = True, seed: int = 0, max_iter: int = MAX_ITER
) -> SVMCrossValidation:
    """GraphCL's protocol: stratified k-fold CV of an RBF SVM over train+test; reports svm_top1 and svm_std."""
    return SVMCrossValidation(folds=folds, Cs=Cs, search=search, seed=seed, max_iter=max_iter)
