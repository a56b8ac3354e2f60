"""The UCR/UEA classification sets that ship inside aeon (found without importing aeon; nothing downloads)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from anyclr.core.errors import AnyclrError, closest

if TYPE_CHECKING:
    from anyclr.core.data import DataBundle


def aeon_data_dir() -> Path | None:
    """Return aeon's bundled data folder, or None when aeon is not installed."""
    spec = importlib.util.find_spec("aeon")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def _is_classification(ts_file: Path) -> bool:
    """Read a .ts header (up to @data) and return True if it declares class labels."""
    try:
        with ts_file.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                low = line.strip().lower()
                if low.startswith("@classlabel"):
                    return low.split()[1:2] == ["true"]
                if low.startswith("@data"):
                    return False
    except OSError:
        return False
    return False


@lru_cache(maxsize=1)
def bundled_names() -> tuple[str, ...]:
    """Return the names of the classification sets bundled with aeon (train and test .ts files present)."""
    root = aeon_data_dir()
    if root is None or not root.is_dir():
        return ()
    names = []
    for folder in sorted(root.iterdir()):
        train, test = folder / f"{folder.name}_TRAIN.ts", folder / f"{folder.name}_TEST.ts"
        if train.is_file() and test.is_file() and _is_classification(train):
            names.append(folder.name)
    return tuple(names)


def check_bundled(name: str) -> str:
    """Return ``name`` if aeon bundles it, else raise an error listing the bundled sets."""
    names = bundled_names()
    if name in names:
        return name
    if not names:
        raise AnyclrError(
            f"UCR/UEA dataset {name!r} cannot be loaded: aeon is not installed.",
            "pip install 'anyclr[timeseries]' (or aeon), or read a file with data.name=timeseries-file.",
        )
    near = closest(name, names)
    hint = ("Did you mean: " + ", ".join(repr(n) for n in near) + "? ") if near else ""
    raise AnyclrError(
        f"UCR/UEA dataset {name!r} is not bundled with aeon (nothing is downloaded).",
        f"{hint}Bundled: {', '.join(names)}. For other sets, point data.extract_path at a folder holding "
        f"<name>/<name>_TRAIN.ts and _TEST.ts, or read one file with data.name=timeseries-file.",
    )


class BundledSet:
    """The dataset factory registered under a bundled set's own name (so ``data.name = "GunPoint"`` works).

    Registering one per bundled set must stay cheap: the reader (and torch) is imported when it is called.
    """

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.__doc__ = f"UCR/UEA {dataset}, bundled with aeon (train/test splits)."

    def __call__(self, normalize: str = "channel", min_length: int = 2) -> DataBundle:
        from anyclr.plugins.timeseries.datasets.ucr import load_ucr

        return load_ucr(self.dataset, normalize=normalize, min_length=min_length)
