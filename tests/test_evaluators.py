import math

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from anyclr.core.errors import AnyclrError
from anyclr.evaluators.knn import knn
from anyclr.evaluators.linear import linear
from anyclr.evaluators.rankme import rankme
from anyclr.evaluators.svm import svm, svm_cv


def knn_reference(train_x, train_y, test_x, k, temperature):
    """Slow direct loop: cosine similarity, top-k neighbours, exp(s/T) weighted vote."""
    train_n = train_x / np.linalg.norm(train_x, axis=1, keepdims=True)
    preds = []
    for q in test_x:
        q = q / np.linalg.norm(q)
        sims = [float(q @ t) for t in train_n]
        order = sorted(range(len(sims)), key=lambda i: -sims[i])[:k]
        votes: dict[int, float] = {}
        for i in order:
            votes[int(train_y[i])] = votes.get(int(train_y[i]), 0.0) + math.exp(sims[i] / temperature)
        preds.append(max(votes, key=votes.get))
    return np.array(preds)


@pytest.mark.parametrize("k,temperature", [(1, 0.07), (5, 0.07), (20, 0.5), (7, 0.01)])
def test_knn_matches_reference_loop(k, temperature):
    rng = np.random.default_rng(k)
    centers = rng.normal(size=(4, 16))
    train_y = rng.integers(0, 4, 120)
    test_y = rng.integers(0, 4, 40)
    train_x = centers[train_y] + rng.normal(scale=1.5, size=(120, 16))
    test_x = centers[test_y] + rng.normal(scale=1.5, size=(40, 16))
    # Labels need not be 0..C-1.
    train_y, test_y = train_y * 3 + 5, test_y * 3 + 5
    ref = knn_reference(train_x, train_y, test_x, k, temperature)
    got = knn(k=k, temperature=temperature, device="cpu")(train_x, train_y, test_x, test_y)
    assert got["knn_top1"] == pytest.approx(float(np.mean(ref == test_y)))


def test_knn_chunking_does_not_change_predictions():
    import torch

    from anyclr.evaluators.knn import knn_predict

    g = torch.Generator().manual_seed(0)
    train, test = torch.randn(300, 8, generator=g), torch.randn(50, 8, generator=g)
    labels = torch.randint(0, 3, (300,), generator=g)
    whole = knn_predict(train, labels, test, 3, k=10, chunk_elements=1 << 30)
    tiny = knn_predict(train, labels, test, 3, k=10, chunk_elements=1)  # one test row per chunk
    assert torch.equal(whole, tiny)


def test_knn_on_digits_and_small_sets():
    x, y = load_digits(return_X_y=True)
    res = knn(device="cpu")(x[:1200], y[:1200], x[1200:], y[1200:])
    assert res["knn_top1"] > 0.9
    # k larger than the training set, a single class, and unknown (-1) training labels all work.
    assert knn(k=50, device="cpu")(x[:5], y[:5], x[5:10], y[5:10])["knn_top1"] >= 0.0
    assert knn(device="cpu")(x[:10], np.zeros(10), x[10:20], np.zeros(10))["knn_top1"] == 1.0
    y_part = y[:1200].copy()
    y_part[::2] = -1
    assert knn(device="cpu")(x[:1200], y_part, x[1200:], y[1200:])["knn_top1"] > 0.85


def test_linear_probe_on_separable_data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = rng.normal(size=(300, 10))
    x[:, 0] += 6 * y  # classes separated along one axis
    res = linear()(x[:200], y[:200], x[200:], y[200:])
    assert res == {"linear_top1": 1.0}


def test_linear_probe_on_digits_beats_chance_by_far():
    x, y = load_digits(return_X_y=True)
    assert linear(Cs=(0.1, 1.0))(x[:1000], y[:1000], x[1000:], y[1000:])["linear_top1"] > 0.9


def test_linear_probe_degenerate_inputs():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 4))
    # one class: predicts it
    assert linear()(x[:10], np.full(10, 2), x[10:], np.array([2] * 5 + [1] * 5))["linear_top1"] == 0.5
    # tiny set (one sample for a class): no validation split, the middle C of the grid (1.0) is fitted
    y = np.array([0, 0, 0, 1, 1, 1, 2, 0, 1, 0])
    test_y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=500)).fit(x[:10], y).score(x[10:], test_y)
    assert linear()(x[:10], y, x[10:], test_y)["linear_top1"] == pytest.approx(reference)
    with pytest.raises(AnyclrError, match="positive"):
        linear(Cs=(0.0,))


EVALUATORS = {"knn": knn, "linear": linear, "rankme": rankme, "svm": svm, "svm_cv": svm_cv}


@pytest.mark.parametrize("name", EVALUATORS)
@pytest.mark.parametrize("bad, message", [(np.nan, "NaN or infinite"), (np.inf, "NaN or infinite"), (1e30, "values as large as 1e\\+30")])
def test_non_finite_or_huge_features_raise_before_any_library_call(name, bad, message):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    x[4, 1] = bad
    with pytest.raises(AnyclrError, match=message):
        EVALUATORS[name]()(x, y, rng.normal(size=(10, 3)), y[:10])


@pytest.mark.parametrize(
    "make, kwargs, message",
    [
        (knn, {"k": "5"}, "eval.knn_k must be a whole number ≥ 1, got '5'"),
        (knn, {"temperature": 0}, "eval.knn_temperature must be a number > 0, got 0"),
        (linear, {"val_fraction": 1.0}, "eval.linear_val_fraction must be a number > 0 and < 1, got 1.0"),
        (linear, {"Cs": ["a"]}, "eval.linear_Cs must be a list of positive numbers"),
        (rankme, {"eps": 0}, "eval.rankme_eps must be a number > 0, got 0"),
        (svm, {"folds": 1}, "eval.svm_folds must be a whole number ≥ 2, got 1"),
        (svm, {"max_iter": 0}, "eval.svm_max_iter must be a whole number ≥ 1, got 0"),
        (svm_cv, {"search": "yes"}, "eval.svm_cv_search must be true or false, got 'yes'"),
    ],
)
def test_bad_settings_name_their_eval_key(make, kwargs, message):
    with pytest.raises(AnyclrError) as info:
        make(**kwargs)
    assert message in info.value.message


def test_mismatched_or_missing_labels():
    x = np.ones((10, 3))
    with pytest.raises(AnyclrError, match="dimensions"):
        knn()(x, np.zeros(10), np.ones((4, 5)), np.zeros(4))
    with pytest.raises(AnyclrError, match="needs labels"):
        knn()(x, -np.ones(10), x, np.zeros(10))
    with pytest.raises(AnyclrError, match="no samples"):
        linear()(np.ones((0, 3)), np.zeros(0), x, np.zeros(10))


def rankme_reference(z, eps=1e-7):
    s = np.linalg.svd(z, compute_uv=False)
    p = s / np.sum(np.abs(s)) + eps
    return math.exp(-sum(pk * math.log(pk) for pk in p))


@pytest.mark.parametrize("shape", [(200, 16), (10, 40), (64, 64)])
def test_rankme_matches_formula(shape):
    z = np.random.default_rng(0).normal(size=shape)
    assert rankme()(z, None, None, None)["rankme"] == pytest.approx(rankme_reference(z), rel=1e-6)


def test_rankme_detects_collapse():
    rng = np.random.default_rng(0)
    collapsed = np.outer(rng.normal(size=500), rng.normal(size=32))  # rank 1
    assert rankme()(collapsed, None, None, None)["rankme"] == pytest.approx(1.0, abs=1e-3)
    low = rng.normal(size=(500, 4)) @ rng.normal(size=(4, 32))  # rank 4
    assert rankme()(low, None, None, None)["rankme"] < 4.0 + 1e-3
    assert rankme()(np.zeros((10, 3)), None, None, None)["rankme"] == 0.0


def test_rankme_subsamples_large_sets_deterministically():
    z = np.random.default_rng(0).normal(size=(300, 8))
    a = rankme(max_samples=100)(z, None, None, None)["rankme"]
    assert a == rankme(max_samples=100)(z, None, None, None)["rankme"]
    assert a == pytest.approx(rankme(max_samples=0)(z, None, None, None)["rankme"], rel=0.05)


def test_evaluators_registered_with_parameters():
    from anyclr.core.registry import get_registry

    reg = get_registry()
    params = reg.get("evaluator", "knn").parameters()
    assert params["k"] == 20 and params["temperature"] == 0.07
    assert "eps" in reg.get("evaluator", "rankme").parameters()
    assert "Cs" in reg.get("evaluator", "linear").parameters()
