"""The SVM protocols: TS2Vec's (grid over C by 5-fold CV when the training set allows) and GraphCL's k-fold CV."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from anyclr.core.errors import AnyclrError
from anyclr.evaluators.svm import TS2VEC_CS, SVMProtocol, svm, svm_cv


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits(return_X_y=True)
    return x / 16.0, y


def test_svm_matches_ts2vec_fit_svm(digits):
    x, y = digits
    ours = svm()(x[:300], y[:300], x[300:600], y[300:600])["svm_top1"]
    # TS2Vec's fit_svm, re-stated: grid over C (inf included) with 5-fold CV, RBF, gamma='scale'.
    ref = GridSearchCV(SVC(C=np.inf, gamma="scale"), {"C": list(TS2VEC_CS)}, cv=5).fit(x[:300], y[:300])
    assert ours == pytest.approx(ref.best_estimator_.score(x[300:600], y[300:600]))
    assert 0.8 < ours <= 1.0


def test_svm_small_training_set_uses_a_hard_margin(digits):
    x, y = digits
    protocol = SVMProtocol()
    assert not protocol.searches(y[:40]) and protocol.searches(y[:300])
    model = protocol.fit(x[:40], y[:40])
    assert model.C == np.inf
    acc = svm()(x[:40], y[:40], x[40:200], y[40:200])["svm_top1"]
    assert acc == pytest.approx(SVC(C=np.inf, gamma="scale").fit(x[:40], y[:40]).score(x[40:200], y[40:200]))


def test_svm_ignores_unknown_labels_and_handles_one_class(digits):
    x, y = digits
    y_train = y[:300].copy()
    y_train[:10] = -1
    dropped = svm()(x[10:300], y[10:300], x[300:400], y[300:400])["svm_top1"]
    assert svm()(x[:300], y_train, x[300:400], y[300:400])["svm_top1"] == dropped
    assert svm()(x[:20], np.zeros(20, int), x[20:30], np.zeros(10, int)) == {"svm_top1": 1.0}


def test_svm_cv_pools_train_and_test(digits):
    x, y = digits
    out = svm_cv(folds=5, search=False)(x[:200], y[:200], x[200:300], y[200:300])
    assert set(out) == {"svm_top1", "svm_std"} and 0.8 < out["svm_top1"] <= 1 and out["svm_std"] >= 0
    again = svm_cv(folds=5, search=False)(x[:200], y[:200], x[200:300], y[200:300])
    assert again == out  # seeded folds


def test_svm_cv_lowers_the_fold_count_and_says_so():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 4))
    y = np.array([0] * 12 + [1] * 15 + [2] * 3)
    x[y == 1] += 3
    with pytest.warns(UserWarning, match="smallest class has 3 samples.*using 3 folds"):
        out = svm_cv(folds=10)(x[:20], y[:20], x[20:], y[20:])
    assert out == svm_cv(folds=3)(x[:20], y[:20], x[20:], y[20:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svm_cv(folds=3)(x[:20], y[:20], x[20:], y[20:])


def test_bad_parameters():
    with pytest.raises(AnyclrError, match="svm_Cs"):
        svm(Cs=[0.0, 1.0])
    with pytest.raises(AnyclrError, match="svm_cv_folds"):
        svm_cv(folds=1)


def test_features_that_cannot_be_separated_never_hang():
    """A collapsed encoder (every feature vector the same) made the hard-margin fit loop forever in libsvm."""
    x, y = np.zeros((60, 4)), np.array([0] * 40 + [1] * 20)
    assert svm()(x[:40], y[:40], x[40:], y[40:]) == {"svm_top1": 0.0}  # majority (0) of train; test is all 1
    assert svm()(x, y, x[:10], y[:10]) == {"svm_top1": 1.0}
    out = svm_cv(folds=5)(x[:50], y[:50], x[50:], y[50:])
    assert out["svm_top1"] == pytest.approx(40 / 60) and out["svm_std"] < 0.1


def test_libsvm_stops_at_max_iter_with_a_warning():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 3)), rng.integers(0, 2, 60)
    x[30:] = x[:30] + 1e-9  # near-duplicates with other labels: a hard margin needs a great many iterations
    y[30:] = 1 - y[:30]
    protocol = SVMProtocol(max_iter=20)
    with pytest.warns(UserWarning, match="libsvm stopped after eval.svm_max_iter = 20 iterations"):
        model = protocol.fit(x[:40], y[:40])
    assert model.max_iter == 20 and model.C == np.inf
