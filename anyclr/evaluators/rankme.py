"""RankMe: the effective rank of an embedding matrix (Garrido et al. 2023, arXiv 2210.02885).

``RankMe(Z) = exp(-sum_k p_k log p_k)`` with ``p_k = sigma_k / ||sigma||_1 + eps`` and ``sigma`` the
singular values of ``Z`` (not centred). It needs no labels; values near 1 mean collapse, values near
``min(N, D)`` mean every direction is used.
"""

from __future__ import annotations

import numpy as np

from anyclr.core.validate import number, whole
from anyclr.evaluators.checks import check_features, check_setting
from anyclr.evaluators.threads import like_torch


def singular_values(z: np.ndarray) -> np.ndarray:
    """Return the singular values of ``z`` (via the D x D Gram matrix when there are more rows than columns)."""
    if z.shape[0] > z.shape[1]:
        gram = (z.T.astype(np.float64)) @ z.astype(np.float64)
        return np.sqrt(np.clip(np.linalg.eigvalsh(gram), 0.0, None))
    return np.linalg.svd(z.astype(np.float64), compute_uv=False)


def rankme_score(z: np.ndarray, eps: float = 1e-7) -> float:
    """Return RankMe of the embedding matrix ``z`` ([samples, features]); 0.0 for an all-zero matrix."""
    sigma = singular_values(z)
    total = sigma.sum()
    if total <= 0:
        return 0.0
    p = sigma / total + eps
    return float(np.exp(-(p * np.log(p)).sum()))


class RankMe:
    needs_labels = False  # reported once, not per label column

    """Callable evaluator: RankMe of the training features (labels and test features are not used)."""

    def __init__(self, eps: float = 1e-7, max_samples: int = 25600, seed: int = 0) -> None:
        check_setting("rankme_eps", eps, number(0, above=True))
        check_setting("rankme_max_samples", max_samples, whole(0))
        check_setting("rankme_seed", seed, whole(0))
        self.eps = float(eps)
        self.max_samples = int(max_samples)
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"RankMe(eps={self.eps}, max_samples={self.max_samples})"

    def __call__(
        self,
        train_x: np.ndarray,
        train_y: np.ndarray | None = None,
        test_x: np.ndarray | None = None,
        test_y: np.ndarray | None = None,
    ) -> dict[str, float]:
        """Return ``{"rankme": effective rank}`` of ``train_x``."""
        z = check_features(train_x, "RankMe: the training features")
        if self.max_samples and len(z) > self.max_samples:
            # The paper estimates RankMe on 25,600 samples; a fixed random subset keeps big sets cheap.
            idx = np.random.default_rng(self.seed).choice(len(z), self.max_samples, replace=False)
            z = z[np.sort(idx)]
        with like_torch():
            return {"rankme": rankme_score(z, self.eps)}


def rankme(eps: float = 1e-7, max_samples: int = 25600, seed: int = 0) -> RankMe:
    """RankMe effective rank of the embeddings (arXiv 2210.02885); no labels needed; reports rankme."""
    return RankMe(eps=eps, max_samples=max_samples, seed=seed)
