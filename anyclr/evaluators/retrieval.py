"""Cross-stream retrieval: for each query embedding, is its own pair among the k most similar gallery embeddings?"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from anyclr.core.errors import AnyclrError
from anyclr.evaluators.checks import check_features


def retrieval(ks: Sequence[int] = (1, 5, 10)) -> Callable[[np.ndarray, np.ndarray], dict[str, float]]:
    """Recall@k of paired embeddings by cosine similarity: query i's match is gallery i (chance is k / N)."""
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1:
        raise AnyclrError(f"eval.retrieval_ks must be positive integers, got {list(ks)}.")

    def run(query: np.ndarray, gallery: np.ndarray) -> dict[str, float]:
        q = check_features(query, "retrieval: the query embeddings")
        g = check_features(gallery, "retrieval: the gallery embeddings")
        if q.shape != g.shape:
            raise AnyclrError(f"retrieval: {q.shape[0]} queries of width {q.shape[1]} but {g.shape[0]} gallery items of width {g.shape[1]}.")
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        g = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
        sim = q @ g.T
        own = np.diag(sim)[:, None]
        rank = (sim > own).sum(axis=1)  # how many gallery items beat the true pair (ties count for the pair)
        return {f"recall@{k}": float((rank < k).mean()) for k in ks}

    return run
