"""SimCLR and BYOL with anyclr vs LightlySSL's SimCLR on Fashion-MNIST: kNN accuracy and training samples/s.

Not a test. One run trains, with the same backbone, projection head, NT-Xent temperature (``--temperature``),
batch size, epochs, optimiser and learning-rate schedule, and evaluates with the same kNN protocol
(anyclr's ``knn`` evaluator, k = 200):

- anyclr SimCLR (``ntxent``) and anyclr BYOL, through ``anyclr.api.train`` (views batched on the device);
- LightlySSL SimCLR: ``SimCLRTransform`` per sample in a DataLoader with ``--workers`` processes,
  ``SimCLRProjectionHead``, ``NTXentLoss``, a plain training loop (as in LightlySSL's examples);
- baselines: kNN on raw pixels and on a randomly initialised backbone.

Targets: anyclr SimCLR's kNN accuracy >= LightlySSL's and above random-init; samples/s >= 1.5x LightlySSL's.
CPU defaults (a small ConvNet, 20 epochs of a 10k subset) finish in about 15 minutes; on a GPU use
``--backbone resnet18``. Skips with a message when Fashion-MNIST is not installed
(``apt-get install dataset-fashion-mnist``, or ``--data-path DIR``); ``--dataset digits`` uses sklearn's
bundled digits instead (for smoke runs).

    python benchmarks/fashion_mnist.py --quick --dataset digits    # a smoke run, well under a minute of training
    python benchmarks/fashion_mnist.py                              # CPU: convnet, 20 epochs, 10k images
    python benchmarks/fashion_mnist.py --seeds 0,1,2,3,4            # the README's figures (about 80 minutes alone)
    python benchmarks/fashion_mnist.py --device cuda --backbone resnet18
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

import anyclr
from anyclr.core.build import build_dataset, build_encoder
from anyclr.core.config import resolve
from anyclr.core.device import select_device
from anyclr.core.encoder import Encoder
from anyclr.core.errors import AnyclrError
from anyclr.core.evaluation import encoder_features, make_evaluator
from anyclr.core.optim import lr_factor, make_optimizer, set_lr
from anyclr.core.registry import get_registry

SPEED_TARGET = 1.5


def recipe(args: argparse.Namespace, objective: dict[str, Any]) -> dict[str, Any]:
    """The shared recipe: data, views, encoder, trainer and kNN protocol; ``objective`` varies."""
    if args.dataset == "digits":
        data = {"name": "digits", "image_size": 16}
    else:
        data = {"name": "fashion-mnist", "subset": args.subset, "test_subset": args.test_subset}
        if args.data_path:
            data["path"] = args.data_path
    encoder = {"name": args.backbone, "head": "mlp", "head_hidden_dim": 512, "head_out_dim": 128}
    if objective["name"] == "ntxent":
        # LightlySSL's SimCLRProjectionHead, as SimCLR's reference code: Linear-BN-ReLU-Linear-BN (affine).
        encoder.update(head_last_batchnorm=True, head_last_affine=True)
    if args.backbone == "convnet":
        encoder["width"] = args.width
    else:
        encoder.update(small_stem=True, width=args.width)
    return {
        "data": data,
        "views": {"name": "image-simclr", "crop_scale": [0.2, 1.0], "flip_prob": 0.5, "jitter_strength": 0.5, "blur_prob": 0.0},
        "encoder": encoder,
        "objective": objective,
        "trainer": {
            "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "weight_decay": 1e-4, "warmup_epochs": 1,
            "grad_clip": 0.0, "device": args.device, "threads": args.threads, "knn_every": 0, "seed": args.seed,
            "max_steps_per_epoch": args.max_steps,
        },
        "eval": {"protocols": ["knn"], "baselines": ["random_init", "raw_input"], "plots": False, "knn_k": 200},
    }


def run_anyclr(args: argparse.Namespace, name: str, objective: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Train one anyclr recipe through the public API; return its summary."""
    import tomli_w

    path = workdir / f"{name}.toml"
    path.write_text(tomli_w.dumps(recipe(args, objective)))
    return anyclr.train(str(path), args.overrides, run_dir=workdir / name, progress=False, print_table=False)


class _PilViews(torch.utils.data.Dataset):
    """Images as PIL, two LightlySSL SimCLR views each (the per-sample DataLoader pipeline)."""

    def __init__(self, images: torch.Tensor, transform: Any) -> None:
        self.images, self.transform = images, transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> list[torch.Tensor]:
        from PIL import Image

        x = self.images[i]
        mode = "L" if x.shape[0] == 1 else "RGB"
        array = x[0].numpy() if mode == "L" else x.permute(1, 2, 0).numpy()
        return self.transform(Image.fromarray(array, mode=mode))


def run_lightly(args: argparse.Namespace, workdir: Path) -> dict[str, Any] | None:
    """Train LightlySSL's SimCLR on the same data with the same backbone and schedule; return kNN and speed."""
    try:
        from lightly.loss import NTXentLoss
        from lightly.models.modules import SimCLRProjectionHead
        from lightly.transforms import SimCLRTransform
    except ImportError as exc:
        print(f"LightlySSL is not usable ({exc}); pip install lightly (the bench extra). Skipping its run.")
        return None
    registry = get_registry()
    cfg = resolve(recipe(args, {"name": "ntxent", "temperature": args.temperature}))
    device = select_device(args.device)
    torch.manual_seed(args.seed)
    bundle = build_dataset(registry, cfg)
    images = bundle.train.x
    size = int(images.shape[-1])
    backbone = build_encoder(registry, cfg, bundle.info).backbone
    model = torch.nn.Sequential(backbone, SimCLRProjectionHead(backbone.out_dim, 512, 128)).to(device)
    transform = SimCLRTransform(
        input_size=size, cj_strength=0.5, min_scale=0.2, gaussian_blur=0.0, random_gray_scale=0.2,
        hf_prob=0.5, vf_prob=0.0, rr_prob=0.0, normalize=None,
    )
    loader = torch.utils.data.DataLoader(
        _PilViews(images, transform), batch_size=args.batch_size, shuffle=True, drop_last=True,
        num_workers=args.workers, persistent_workers=args.workers > 0,
    )
    criterion = NTXentLoss(temperature=args.temperature)
    tc = cfg["trainer"]
    optimizer = make_optimizer(tc["optimizer"], [model], args.lr, float(tc["weight_decay"]), float(tc["momentum"]))
    steps_per_epoch = min(len(loader), args.max_steps) if args.max_steps else len(loader)
    total = steps_per_epoch * args.epochs
    step, samples, seconds = 0, 0, 0.0
    model.train()
    for _epoch in range(args.epochs):
        start = time.perf_counter()
        for i, (x0, x1) in enumerate(loader):
            if i >= steps_per_epoch:
                break
            set_lr(optimizer, args.lr * lr_factor(step, total, steps_per_epoch * int(tc["warmup_epochs"]), 0.0))
            x0, x1 = x0.to(device, non_blocking=True), x1.to(device, non_blocking=True)
            loss = criterion(model(x0), model(x1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            samples += x0.shape[0]
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds += time.perf_counter() - start
    encoder = Encoder(backbone)
    kw = {"batch_size": 512, "device": device}
    train_x, train_y = encoder_features(encoder, bundle.train, **kw)
    test_x, test_y = encoder_features(encoder, bundle.test if bundle.test is not None else bundle.train, **kw)
    knn = make_evaluator(registry, "knn", cfg["eval"])(train_x, train_y, test_x, test_y)
    return {"knn_top1": float(knn["knn_top1"]), "samples_per_second": samples / seconds if seconds else 0.0, "train_seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the table and targets; return 0 (also when skipped)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 epoch, 1k training images, 4 steps")
    parser.add_argument("--dataset", choices=["fashion-mnist", "digits"], default="fashion-mnist")
    parser.add_argument("--data-path", default=None, help="folder with the four Fashion-MNIST IDX files")
    parser.add_argument("--subset", type=int, default=10_000, help="training images (0 = all 60k)")
    parser.add_argument("--test-subset", type=int, default=10_000, help="test images for kNN (0 = all 10k)")
    parser.add_argument("--backbone", choices=["convnet", "resnet18"], default="convnet")
    parser.add_argument("--width", type=int, default=0, help="first-stage channels (default: 16 convnet, 64 resnet18)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    # Screened on anyclr's side (seeds 0, 1): 0.5 -> 0.747, 0.2 -> 0.761, 0.1 -> 0.771, 0.05 -> 0.773; LightlySSL gains alike.
    parser.add_argument("--temperature", type=float, default=0.05, help="NT-Xent temperature of both SimCLR runs")
    parser.add_argument("--max-steps", type=int, default=0, help="cap on steps per epoch (0 = whole subset)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = all cores)")
    parser.add_argument("--workers", type=int, default=2, help="LightlySSL DataLoader worker processes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a key of anyclr's recipes (repeatable), e.g. --set trainer.view_batches=separate")
    parser.add_argument("--seeds", default="", help="comma-separated seeds (default: --seed); figures are mean ± std over them")
    parser.add_argument("--methods", default="simclr,byol,lightly", help="which of simclr, byol, lightly to train")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.subset, args.test_subset, args.max_steps = 1, 1000, 500, 4
        args.batch_size = min(args.batch_size, 128)
    if not args.width:
        args.width = 16 if args.backbone == "convnet" else 64
    if args.threads:
        torch.set_num_threads(args.threads)
    seeds = [int(x) for x in args.seeds.split(",") if x] or [args.seed]
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - {"simclr", "byol", "lightly"})
    if unknown or "simclr" not in methods:
        parser.error(f"--methods takes simclr (always), byol and lightly; got {args.methods!r}")

    runs: dict[str, list[dict[str, float]]] = {m: [] for m in ("simclr", "byol", "lightly", "random_init", "raw_input")}
    for seed in seeds:
        args.seed = seed
        with tempfile.TemporaryDirectory(prefix="anyclr-bench-") as tmp:
            workdir = Path(tmp)
            try:
                simclr = run_anyclr(args, "anyclr-simclr", {"name": "ntxent", "temperature": args.temperature}, workdir)
            except AnyclrError as exc:
                if args.dataset == "fashion-mnist" and "not found" in str(exc):
                    print(f"Skipping: {exc}")
                    return 0
                raise
            device = simclr.get("device")
            runs["simclr"].append({"knn_top1": simclr["metrics"]["knn_top1"], "samples_per_second": simclr["samples_per_second"]})
            for base in ("random_init", "raw_input"):
                runs[base].append({"knn_top1": simclr["baselines"].get(base, {}).get("knn_top1", math.nan)})
            if "byol" in methods:
                byol = run_anyclr(args, "anyclr-byol", {"name": "byol", "predictor_hidden_dim": 512, "momentum": 0.99}, workdir)
                runs["byol"].append({"knn_top1": byol["metrics"]["knn_top1"], "samples_per_second": byol["samples_per_second"]})
            if "lightly" in methods:
                light = run_lightly(args, workdir)
                if light:
                    runs["lightly"].append(light)
        print(f"seed {seed}: " + ", ".join(f"{m} {r[-1]['knn_top1']:.4f}" for m, r in runs.items() if len(r) == len(runs["simclr"])), flush=True)

    def mean(name: str, key: str) -> float:
        values = [r[key] for r in runs[name] if key in r]
        return statistics.mean(values) if values else math.nan

    def cell(name: str) -> str:
        values = [r["knn_top1"] for r in runs[name]]
        if not values:
            return f"{'—':>16}"
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        return f"{statistics.mean(values):>9.4f} ± {sd:.4f}" if len(values) > 1 else f"{values[0]:>16.4f}"

    labels = {"simclr": "anyclr SimCLR", "byol": "anyclr BYOL", "lightly": "LightlySSL SimCLR",
              "random_init": "random-init backbone", "raw_input": "raw pixels"}
    print(f"\n{args.dataset}, {args.backbone} (width {args.width}), {args.epochs} epochs, batch {args.batch_size}, "
          f"device {device}, seeds {seeds}")
    print(f"{'method':<22}{'kNN top-1':>16}{'samples/s':>12}")
    for name, label in labels.items():
        if runs[name]:
            sps = mean(name, "samples_per_second")
            print(f"{label:<22}{cell(name)}{'' if math.isnan(sps) else f'{sps:>12.1f}'}")
    ours, random_init = mean("simclr", "knn_top1"), mean("random_init", "knn_top1")
    print(f"\nanyclr SimCLR above random-init: {'met' if ours > random_init else 'missed'}")
    if runs["lightly"]:
        theirs = mean("lightly", "knn_top1")
        ratio = mean("simclr", "samples_per_second") / mean("lightly", "samples_per_second")
        print(f"kNN >= LightlySSL: {'met' if ours >= theirs else 'missed'} ({ours:.4f} vs {theirs:.4f})")
        print(f"samples/s >= {SPEED_TARGET}x LightlySSL: {'met' if ratio >= SPEED_TARGET else 'missed'} ({ratio:.2f}x)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {"args": vars(args) | {"json": str(args.json)}, "seeds": seeds, "runs": runs}
        args.json.write_text(json.dumps(out, indent=1, default=float))
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
