"""The core's data model: a dataset bundle, batches of any type, and moving them to a device.

A sample is ``(input, label)``; ``label`` is an int (``-1`` when unknown). ``input`` may be a tensor,
a dict of tensors (padded sequences with masks), a torch-geometric ``Data`` … anything the bundle's
``collate`` turns into a batch. The core never looks inside inputs: it only moves them to the device.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset


class TensorSamples(Dataset):
    """Samples held as one tensor (plus labels): batches are sliced directly, no per-sample collation."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None = None) -> None:
        self.x = x
        self.y = y if y is not None else torch.full((len(x),), -1, dtype=torch.long)
        if len(self.y) != len(self.x):
            raise ValueError(f"{len(self.x)} inputs but {len(self.y)} labels")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, idx: int) -> tuple[torch.Tensor, int]:
        return self.x[idx], int(self.y[idx])

    def take(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the batch at indices ``idx`` in one slice."""
        return self.x[idx], self.y[idx]

    def subset(self, idx: torch.Tensor) -> TensorSamples:
        """Return the samples at ``idx`` as a new TensorSamples."""
        return TensorSamples(self.x[idx], self.y[idx])


class IndexedSubset(Dataset):
    """A subset of any dataset by indices (keeps TensorSamples fast when possible)."""

    def __init__(self, base: Dataset, idx: Sequence[int]) -> None:
        self.base = base
        self.idx = list(idx)

    def __len__(self) -> int:
        return len(self.idx)

    def __getitem__(self, i: int) -> Any:
        return self.base[self.idx[i]]


def subset(ds: Dataset, idx: torch.Tensor) -> Dataset:
    """Return the samples of ``ds`` at ``idx``."""
    if isinstance(ds, TensorSamples):
        return ds.subset(idx)
    return IndexedSubset(ds, idx.tolist())


@dataclass
class DataBundle:
    """What a dataset factory returns: train (and optional test) samples and how to batch them."""

    train: Dataset
    test: Dataset | None = None
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None
    info: dict[str, Any] = field(default_factory=dict)  # in_channels, image_size, num_classes, modality …
    raw_features: Callable[[Any], torch.Tensor] | None = None  # batch inputs -> [B, F] for the raw-input baseline

    def labels(self, split: str = "train") -> torch.Tensor:
        """Return all labels of a split as a long tensor (-1 where unknown)."""
        ds = self.train if split == "train" else self.test
        if ds is None:
            return torch.empty(0, dtype=torch.long)
        if isinstance(ds, TensorSamples):
            return ds.y
        return torch.tensor([int(ds[i][1]) for i in range(len(ds))], dtype=torch.long)

    def has_labels(self) -> bool:
        """Return True if the training split has known labels."""
        y = self.labels("train")
        return len(y) > 0 and bool((y >= 0).all())


def default_collate(items: list[tuple[Any, int]]) -> tuple[Any, torch.Tensor]:
    """Stack same-shaped tensor inputs; labels become a long tensor."""
    xs, ys = zip(*items, strict=True)
    return torch.utils.data.default_collate(list(xs)), torch.tensor(ys, dtype=torch.long)


def iter_batches(
    ds: Dataset,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
    drop_last: bool = False,
    collate: Callable[[list[Any]], tuple[Any, torch.Tensor]] | None = None,
    num_workers: int = 0,
    max_batches: int = 0,
) -> Iterator[tuple[Any, torch.Tensor]]:
    """Yield ``(inputs, labels)`` batches; the order depends only on ``seed`` (so resumed epochs match)."""
    n = len(ds)
    if shuffle:
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    else:
        order = torch.arange(n)
    if drop_last and n >= batch_size:
        order = order[: n - n % batch_size]
    chunks = list(order.split(batch_size))
    if max_batches:
        chunks = chunks[:max_batches]
    if isinstance(ds, TensorSamples):
        for idx in chunks:
            yield ds.take(idx)
        return
    loader = DataLoader(
        ds,
        batch_sampler=[c.tolist() for c in chunks],
        collate_fn=collate or default_collate,
        num_workers=num_workers,
    )
    yield from loader


def to_device(obj: Any, device: torch.device | str, non_blocking: bool = False) -> Any:
    """Move tensors, containers of tensors, or objects with ``.to()`` (e.g. a PyG Batch) to ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return {k: to_device(v, device, non_blocking) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device, non_blocking) for v in obj)
    if hasattr(obj, "to"):
        return obj.to(device)
    return obj


def batch_size_of(obj: Any) -> int:
    """Return the number of samples in a batch of inputs."""
    if isinstance(obj, torch.Tensor):
        return obj.shape[0]
    if isinstance(obj, dict):
        return batch_size_of(next(iter(obj.values())))
    if isinstance(obj, (list, tuple)):
        return len(obj)
    if hasattr(obj, "num_graphs"):
        return int(obj.num_graphs)
    return len(obj)
