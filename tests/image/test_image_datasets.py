"""Image dataset readers: digits, Fashion-MNIST IDX files, class folders, NumPy arrays — and their errors."""

from __future__ import annotations

import gzip
import logging
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from anyclr.core.errors import AnyclrError
from anyclr.plugins.image.datasets.arrays import image_arrays
from anyclr.plugins.image.datasets.digits import digits
from anyclr.plugins.image.datasets.fashion_mnist import DEFAULT_PATH, fashion_mnist
from anyclr.plugins.image.datasets.folder import image_folder


def check_info(bundle, channels: int, size: int, classes: int) -> None:
    info = bundle.info
    assert info["modality"] == "image"
    assert info["in_channels"] == channels and info["image_size"] == size and info["num_classes"] == classes
    assert len(info["class_names"]) == classes and len(info["mean"]) == channels and len(info["std"]) == channels
    x = bundle.train.x
    assert x.dtype == torch.uint8 and x.shape[1:] == (channels, size, size)
    raw = bundle.raw_features(x[:2])
    assert raw.shape == (2, channels * size * size) and raw.dtype == torch.float32 and float(raw.max()) <= 1.0


# -- digits ---------------------------------------------------------------------------------------------------


def test_digits_split_and_scaling() -> None:
    bundle = digits()
    check_info(bundle, 1, 8, 10)
    assert len(bundle.train) + len(bundle.test) == 1797
    assert abs(len(bundle.test) / 1797 - 0.25) < 0.01
    assert int(bundle.train.x.max()) == 255 and int(bundle.train.x.min()) == 0
    # Stratified: every class keeps about a quarter of its images in test.
    counts = bundle.test.y.bincount(minlength=10).float() / (
        bundle.test.y.bincount(minlength=10) + bundle.train.y.bincount(minlength=10)
    )
    assert float((counts - 0.25).abs().max()) < 0.02
    assert torch.equal(digits().train.y, bundle.train.y)  # the split is seed-fixed


def test_digits_upsampled() -> None:
    check_info(digits(image_size=16), 1, 16, 10)


# -- Fashion-MNIST --------------------------------------------------------------------------------------------


def write_idx(path: Path, array: np.ndarray, gz: bool) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


@pytest.mark.parametrize("gz", [True, False])
def test_fashion_mnist_from_idx_files(tmp_path: Path, gz: bool) -> None:
    rng = np.random.default_rng(0)
    for split, n in (("train", 40), ("t10k", 20)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)), gz)
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", np.arange(n) % 10, gz)
    bundle = fashion_mnist(path=str(tmp_path), subset=30, image_size=14)
    check_info(bundle, 1, 14, 10)
    assert len(bundle.train) == 30 and len(bundle.test) == 20
    assert bundle.info["class_names"][0] == "T-shirt/top"


def test_fashion_mnist_missing_files_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(AnyclrError) as err:
        fashion_mnist(path=str(tmp_path / "nowhere"))
    assert "apt-get install dataset-fashion-mnist" in str(err.value) and "data.path" in str(err.value)
    assert "train-images-idx3-ubyte" in str(err.value)


def test_fashion_mnist_corrupt_file(tmp_path: Path) -> None:
    for split in ("train", "t10k"):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte", np.zeros((4, 28, 28)), False)
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", np.zeros(4), False)
    bad = tmp_path / "train-images-idx3-ubyte"
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.raises(AnyclrError, match="train-images-idx3-ubyte.*truncated"):
        fashion_mnist(path=str(tmp_path))


@pytest.mark.skipif(
    not Path(DEFAULT_PATH, "t10k-labels-idx1-ubyte.gz").exists(), reason="dataset-fashion-mnist not installed"
)
def test_fashion_mnist_installed_package() -> None:
    bundle = fashion_mnist(subset=500, test_subset=200)
    check_info(bundle, 1, 28, 10)
    assert len(bundle.train) == 500 and len(bundle.test) == 200


# -- image folders ----------------------------------------------------------------------------------------------


def make_folder(root: Path, classes: dict[str, int], mode: str = "RGB", size: int = 12, ext: str = "png") -> Path:
    rng = np.random.default_rng(0)
    for name, n in classes.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            shape = (size, size + 4, 3) if mode == "RGB" else (size, size + 4)
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(root / name / f"{i}.{ext}")
    return root


def test_folder_reads_classes(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "train", {"cat": 3, "dog": 2})
    bundle = image_folder(str(root), image_size=8)
    check_info(bundle, 3, 8, 2)
    assert bundle.info["class_names"] == ["cat", "dog"]
    assert bundle.train.y.tolist() == [0, 0, 0, 1, 1] and bundle.test is None


def test_folder_grey_jpeg_and_test_split(tmp_path: Path) -> None:
    make_folder(tmp_path / "train", {"a": 4, "b": 4}, mode="L", ext="jpg")
    make_folder(tmp_path / "test", {"a": 1, "b": 2}, mode="L", ext="jpeg")
    bundle = image_folder(str(tmp_path / "train"), image_size=10, test_path=str(tmp_path / "test"))
    check_info(bundle, 1, 10, 2)
    assert bundle.test.y.tolist() == [0, 1, 1]
    split = image_folder(str(tmp_path / "train"), image_size=10, test_fraction=0.25)
    assert len(split.train) == 6 and sorted(split.test.y.tolist()) == [0, 1]


def test_folder_unlabelled_images(tmp_path: Path) -> None:
    make_folder(tmp_path, {"x": 3})
    bundle = image_folder(str(tmp_path / "x"), image_size=8)
    assert bundle.train.y.tolist() == [-1, -1, -1] and bundle.info["num_classes"] == 0


def test_folder_missing_and_empty(tmp_path: Path) -> None:
    with pytest.raises(AnyclrError, match="does not exist") as err:
        image_folder(str(tmp_path / "missing"))
    assert str(tmp_path / "missing") in str(err.value)
    (tmp_path / "empty" / "cls").mkdir(parents=True)
    with pytest.raises(AnyclrError, match="has no images") as err:
        image_folder(str(tmp_path / "empty"))
    assert str(tmp_path / "empty") in str(err.value)


def test_folder_corrupt_image_names_the_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = make_folder(tmp_path / "data", {"a": 3, "b": 2})
    bad = root / "b" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png")
    truncated = root / "a" / "truncated.png"
    truncated.write_bytes((root / "a" / "0.png").read_bytes()[:60])
    with pytest.raises(AnyclrError, match="broken.png|truncated.png") as err:
        image_folder(str(root), image_size=8)
    assert "skip_bad" in str(err.value)
    with caplog.at_level(logging.WARNING, logger="anyclr.image"):
        bundle = image_folder(str(root), image_size=8, skip_bad=True)
    assert len(bundle.train) == 5
    assert "Skipped 2 unreadable image(s)" in caplog.text


def test_folder_mixed_sizes_need_image_size(tmp_path: Path) -> None:
    make_folder(tmp_path / "d", {"a": 1}, size=8)
    make_folder(tmp_path / "d", {"b": 1}, size=10)
    with pytest.raises(AnyclrError, match="image_size"):
        image_folder(str(tmp_path / "d"), image_size=0)
    assert image_folder(str(tmp_path / "d"), image_size=6).train.x.shape == (2, 3, 6, 6)


def test_folder_test_classes_must_exist_in_train(tmp_path: Path) -> None:
    make_folder(tmp_path / "train", {"a": 1})
    make_folder(tmp_path / "test", {"z": 1})
    with pytest.raises(AnyclrError, match="z"):
        image_folder(str(tmp_path / "train"), image_size=8, test_path=str(tmp_path / "test"))


# -- arrays ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("x_key", "y_key"), [("x", "y"), ("X", "y"), ("images", "labels")])
def test_npz_keys(tmp_path: Path, x_key: str, y_key: str) -> None:
    x = np.random.default_rng(0).integers(0, 256, (10, 12, 12, 3), dtype=np.uint8)  # NHWC
    np.savez(tmp_path / "d.npz", **{x_key: x, y_key: np.arange(10) % 2})
    bundle = image_arrays(str(tmp_path / "d.npz"))
    check_info(bundle, 3, 12, 2)
    assert torch.equal(bundle.train.x, torch.from_numpy(x).permute(0, 3, 1, 2))


def test_npz_missing_keys_names_present_keys(tmp_path: Path) -> None:
    np.savez(tmp_path / "d.npz", pixels=np.zeros((2, 4, 4)), targets=np.zeros(2))
    with pytest.raises(AnyclrError, match="pixels, targets"):
        image_arrays(str(tmp_path / "d.npz"))


def test_npy_nchw_float_and_resize(tmp_path: Path) -> None:
    x = np.random.default_rng(0).random((6, 1, 8, 8)).astype(np.float32)  # NCHW in [0, 1]
    np.save(tmp_path / "d.npy", x)
    bundle = image_arrays(str(tmp_path / "d.npy"), image_size=16)
    check_info(bundle, 1, 16, 0)
    assert bundle.train.y.tolist() == [-1] * 6
    plain = image_arrays(str(tmp_path / "d.npy"))
    assert torch.equal(plain.train.x, torch.from_numpy(np.rint(x * 255).astype(np.uint8)))


def test_arrays_string_labels_and_test_file(tmp_path: Path) -> None:
    np.savez(tmp_path / "train.npz", x=np.zeros((4, 5, 5), np.uint8), y=np.array(["b", "a", "b", "a"]))
    np.savez(tmp_path / "test.npz", x=np.zeros((2, 5, 5), np.uint8), y=np.array(["a", "b"]))
    bundle = image_arrays(str(tmp_path / "train.npz"), test_path=str(tmp_path / "test.npz"))
    assert bundle.info["class_names"] == ["a", "b"] and bundle.train.y.tolist() == [1, 0, 1, 0]
    assert bundle.test.y.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (np.zeros((4, 5)), None, "shaped"),
        (np.zeros((2, 3, 8, 3)), None, "layout"),
        (np.full((2, 4, 4), 300.0), None, r"\[0, 255\]"),
        (np.zeros((3, 4, 4)), np.zeros(2), "one per image"),
        (np.zeros((3, 4, 4)), np.array([0, -2, 1]), ">= 0"),
    ],
)
def test_arrays_bad_input(tmp_path: Path, x: np.ndarray, y: np.ndarray | None, message: str) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **({"x": x} if y is None else {"x": x, "y": y}))
    with pytest.raises(AnyclrError, match=message) as err:
        image_arrays(str(path))
    assert "bad.npz" in str(err.value) or message == "layout"


def test_arrays_missing_file_and_layout_override(tmp_path: Path) -> None:
    with pytest.raises(AnyclrError, match="does not exist"):
        image_arrays(str(tmp_path / "none.npz"))
    np.save(tmp_path / "amb.npy", np.zeros((2, 3, 8, 3), np.uint8))
    assert image_arrays(str(tmp_path / "amb.npy"), layout="nhwc").train.x.shape == (2, 3, 3, 8)


# -- lazy folders -----------------------------------------------------------------------------------------------


def test_folder_read_lazily_declares_labels_and_decodes_on_demand(tmp_path: Path) -> None:
    from anyclr.plugins.image.datasets.folder import ImageFiles

    root = make_folder(tmp_path / "train", {"cat": 3, "dog": 2}, mode="L")
    eager = image_folder(str(root), image_size=8, in_memory=True)
    lazy = image_folder(str(root), image_size=8, in_memory=False)
    assert isinstance(lazy.train, ImageFiles) and lazy.info["in_memory"] is False and eager.info["in_memory"] is True
    assert lazy.labels().tolist() == eager.labels().tolist() == [0, 0, 0, 1, 1]
    assert lazy.info["in_channels"] == 1 and lazy.info["class_names"] == ["cat", "dog"]
    for i in range(5):
        assert torch.equal(lazy.train[i][0], eager.train[i][0])
    assert lazy.info["mean"] == eager.info["mean"]  # five images: the stats sample is all of them
    split = image_folder(str(root), image_size=8, in_memory=False, test_fraction=0.4)
    assert len(split.train) == 3 and len(split.test) == 2


def test_folder_auto_reads_large_folders_lazily() -> None:
    from anyclr.plugins.image.datasets.folder import use_memory

    assert use_memory("auto", [Path("x")] * 1000, 32) and not use_memory("auto", [Path("x")] * 30_000, 32)
    assert not use_memory("auto", [Path("x")] * 5000, 224)  # 5000 x 3 x 224 x 224 bytes is over 256 MiB
    assert use_memory("true", [Path("x")] * 30_000, 224) and not use_memory("false", [Path("x")], 8)


def test_lazy_folder_trains_in_workers_and_counts_a_corrupt_file(tmp_path: Path) -> None:
    from anyclr.api import train

    root = make_folder(tmp_path / "train", {"a": 20, "b": 20}, size=16)
    (root / "a" / "broken.png").write_bytes(b"not an image")
    sets = [
        "data.name=\"image-folder\"", f"data.path=\"{root}\"", "data.image_size=8", "data.in_memory=false", "data.max_bad_fraction=0.1",
        "data.test_fraction=0.25", "trainer.num_workers=1", "trainer.epochs=2", "trainer.batch_size=16", "encoder.width=4",
        "eval.protocols=[\"knn\"]", "eval.baselines=[]", "eval.plots=false", "trainer.knn_every=0", "trainer.threads=1",
    ]  # fmt: skip
    summary = train("image-simclr", sets, run_dir=tmp_path / "run", progress=False, print_table=False)
    assert summary["steps"] == 2 and "knn_top1" in summary["metrics"]  # 30 training images: one batch of 16 per epoch
    assert summary["data"]["bad_samples"] >= 1 and "broken.png" in summary["data"]["bad_examples"][0]
