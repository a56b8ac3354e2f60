"""Weighted kNN on cosine similarity (Wu et al. 2018; the InstDisc / DINO monitor protocol)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from anyclr.core.validate import Rule, number, whole
from anyclr.evaluators.checks import check_pair, check_setting


def knn_predict(
    train: torch.Tensor,
    train_labels: torch.Tensor,
    test: torch.Tensor,
    num_classes: int,
    k: int = 20,
    temperature: float = 0.07,
    chunk_elements: int = 1 << 25,
) -> torch.Tensor:
    """Return the predicted class index of each test row.

    Both feature matrices are L2-normalised; each test sample's ``k`` most similar training samples
    vote for their class with weight ``exp(s / temperature)``. Test rows are processed in chunks of
    at most ``chunk_elements`` similarities, so 60k x 10k fits in a few hundred MB.
    """
    train = F.normalize(train.float(), dim=1)
    test = F.normalize(test.float(), dim=1)
    k = min(k, train.shape[0])
    rows = max(1, chunk_elements // train.shape[0])
    out = []
    for chunk in test.split(rows):
        sims = chunk @ train.T
        top_s, top_i = sims.topk(k, dim=1)
        # Subtracting each row's best similarity keeps exp() finite for small temperatures; the
        # per-row factor it removes does not change which class wins.
        weights = ((top_s - top_s[:, :1]) / temperature).exp()
        votes = torch.zeros(chunk.shape[0], num_classes, device=chunk.device, dtype=weights.dtype)
        votes.scatter_add_(1, train_labels[top_i], weights)
        out.append(votes.argmax(dim=1))
    return torch.cat(out)


class KNN:
    """Callable evaluator: weighted kNN top-1 accuracy of test features against training features."""

    def __init__(self, k: int = 20, temperature: float = 0.07, device: str = "auto") -> None:
        check_setting("knn_k", k, whole(1))
        check_setting("knn_temperature", temperature, number(0, above=True))
        check_setting("knn_device", device, Rule("device"))
        self.k = int(k)
        self.temperature = float(temperature)
        self.device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device)

    def __repr__(self) -> str:
        return f"KNN(k={self.k}, temperature={self.temperature})"

    def __call__(
        self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray
    ) -> dict[str, float]:
        """Return ``{"knn_top1": accuracy}``; training samples with label -1 are ignored."""
        train_x, train_y, test_x, test_y = check_pair(train_x, train_y, test_x, test_y, "kNN")
        classes, train_idx = np.unique(train_y, return_inverse=True)
        with torch.no_grad():
            pred = knn_predict(
                torch.as_tensor(train_x, device=self.device),
                torch.as_tensor(train_idx, device=self.device),
                torch.as_tensor(test_x, device=self.device),
                num_classes=len(classes),
                k=self.k,
                temperature=self.temperature,
            )
        return {"knn_top1": float(np.mean(classes[pred.cpu().numpy()] == test_y))}


def knn(k: int = 20, temperature: float = 0.07, device: str = "auto") -> KNN:
    """Weighted kNN on cosine similarity: k neighbours vote with exp(s / temperature); reports knn_top1."""
    return KNN(k=k, temperature=temperature, device=device)
