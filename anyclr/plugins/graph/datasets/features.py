"""Node-feature encodings shared by the readers: one-hot label columns, standardised attributes, degree."""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.transforms import AddRandomWalkPE

FEATURE_CHOICES = ("auto", "labels", "attributes", "labels+attributes", "degree", "constant")

MAX_DEGREE = 64  # degrees above this share the last one-hot slot


def one_hot_columns(values: np.ndarray) -> np.ndarray:
    """One-hot encode each integer column over its own distinct values, then concatenate the columns."""
    values = values.reshape(len(values), -1)
    blocks = []
    for column in values.T:
        uniq, inverse = np.unique(column, return_inverse=True)
        block = np.zeros((len(column), len(uniq)), dtype=np.float32)
        block[np.arange(len(column)), inverse.reshape(-1)] = 1.0
        blocks.append(block)
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(values), 0), dtype=np.float32)


def standardize(values: np.ndarray) -> np.ndarray:
    """Scale each column to zero mean and unit variance (constant columns become zero)."""
    values = values.reshape(len(values), -1).astype(np.float64)
    std = values.std(axis=0)
    return ((values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)).astype(np.float32)


def degree_one_hot(degree: np.ndarray, max_degree: int = MAX_DEGREE) -> np.ndarray:
    """One-hot node degree up to the largest degree seen (capped at ``max_degree``)."""
    degree = np.minimum(degree.astype(np.int64), max_degree)
    width = int(degree.max()) + 1 if len(degree) else 1
    out = np.zeros((len(degree), width), dtype=np.float32)
    out[np.arange(len(degree)), degree] = 1.0
    return out


def random_walk_features(edge_index: torch.Tensor, num_nodes: int, steps: int) -> torch.Tensor:
    """Return each node's probability of being back after 1..``steps`` random-walk steps ``[n, steps]``.

    These return probabilities reveal the cycles a node lies on (rings in molecules), which message
    passing alone cannot count (Dwivedi et al. 2022, random-walk structural encoding).
    """
    data = AddRandomWalkPE(walk_length=steps, attr_name="pe")(Data(edge_index=edge_index, num_nodes=num_nodes))
    return data.pe.float()
