"""Write a dataset's samples to WebDataset tar shards (``anyclr shard``), encoded by its modality's codec."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from torch.utils.data import DataLoader, Dataset

from anyclr.core.codec import SampleCodec
from anyclr.core.data import BadSample, DataBundle, DataHealth, is_stream
from anyclr.core.errors import AnyclrError
from anyclr.shards.reader import INFO_KEY, codec_named


class Encoded(Dataset):
    """A map-style dataset's samples, decoded and re-encoded for a shard (in DataLoader workers)."""

    def __init__(self, ds: Dataset, codec: SampleCodec) -> None:
        self.ds = ds
        self.codec = codec

    def __len__(self) -> int:
        return len(self.ds)

    def __getitem__(self, idx: int) -> dict[str, bytes] | BadSample:
        return encode_sample(self.ds[idx], self.codec)


def encode_sample(sample: Any, codec: SampleCodec) -> dict[str, bytes] | BadSample:
    """Return a sample's shard members (its input by the codec, its label as ``cls``), or the BadSample itself."""
    if isinstance(sample, BadSample):
        return sample
    inputs, label = sample
    members = codec.encode(inputs)
    members["cls"] = str(int(label)).encode()
    return members


def encoded_samples(ds: Dataset, codec: SampleCodec, workers: int) -> Iterator[dict[str, bytes] | BadSample]:
    """Yield every sample of ``ds`` encoded, in order (a stream: one ordered pass)."""
    if is_stream(ds):
        for sample in ds:
            yield encode_sample(sample, codec)
        return
    loader = DataLoader(Encoded(ds, codec), batch_size=None, num_workers=workers, prefetch_factor=8 if workers else None)
    yield from loader


class ShardFiles:
    """Shards ``OUT/<split>-NNNNNN.tar`` of at most ``per_shard`` samples, each written to a temporary name first."""

    def __init__(self, out: Path, split: str, per_shard: int, header: dict[str, Any]) -> None:
        self.out, self.split, self.per_shard, self.header = out, split, per_shard, header
        self.index = 0
        self.count = 0
        self.bytes = 0
        self.writer: Any = None
        self.tmp = self.final = Path()

    def write(self, key: str, members: dict[str, bytes]) -> None:
        """Add one sample, starting a new shard when the current one is full."""
        if self.writer is None or self.count >= self.per_shard:
            self.close()
            self._open()
        self.writer.write({"__key__": key, **members})
        self.count += 1
        self.bytes += sum(len(v) for v in members.values())

    def _open(self) -> None:
        import webdataset as wds

        self.final = self.out / f"{self.split}-{self.index:06d}.tar"
        self.tmp = self.out / f".{self.final.name}.tmp"
        self.writer = wds.TarWriter(str(self.tmp), encoder=False)
        info = {**self.header, "split": self.split, "shard": self.index}
        self.writer.write({"__key__": INFO_KEY, "json": json.dumps(info, default=str).encode()})
        self.count = 0

    def close(self) -> None:
        """Finish the current shard (rename it into place)."""
        if self.writer is None:
            return
        self.writer.close()
        os.replace(self.tmp, self.final)
        self.writer = None
        self.index += 1


def write_shards(
    bundle: DataBundle,
    out: str | Path,
    samples_per_shard: int = 10_000,
    dataset: str = "",
    workers: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Write every split of ``bundle`` to ``out`` as tar shards; return counts, bytes and samples/s."""
    if samples_per_shard < 1:
        raise AnyclrError(f"--samples-per-shard must be at least 1, got {samples_per_shard}.")
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise AnyclrError(f"{out} is a file; shards are written into a folder.", "Pass a folder name.")
    if out.is_dir() and any(out.glob("*.tar")):
        raise AnyclrError(f"{out} already holds .tar shards.", "Write to an empty or new folder (existing shards are never overwritten).")
    out.mkdir(parents=True, exist_ok=True)
    codec_name = str(bundle.info.get("codec", "tensor"))
    codec = codec_named(codec_name, bundle.info)
    header = {"codec": codec_name, "dataset": dataset, "info": bundle.info}
    health = DataHealth(bundle.max_bad_fraction or 1.0)
    result: dict[str, Any] = {"out": str(out), "codec": codec_name, "splits": {}}
    start = time.perf_counter()
    total = 0
    for split in ("train", "test"):
        ds = bundle.split(split)
        if ds is None:
            continue
        files = ShardFiles(out, split, samples_per_shard, header)
        n = None if is_stream(ds) else len(ds)
        with _progress(progress, f"{split} shards", n) as advance:
            written = 0
            for i, members in enumerate(encoded_samples(ds, codec, workers)):
                if isinstance(members, BadSample):
                    health.record(0, [members])
                    continue
                files.write(f"{i:09d}", members)
                written += 1
                advance()
            files.close()
        health.record(written, [])
        total += written
        result["splits"][split] = {"samples": written, "shards": files.index, "bytes": files.bytes}
    seconds = time.perf_counter() - start
    result.update(samples=total, seconds=round(seconds, 3), samples_per_second=round(total / seconds, 1) if seconds else 0.0, bad_samples=health.bad)
    return result


class _progress:
    """A rich progress bar over samples (a no-op when disabled)."""

    def __init__(self, enabled: bool, label: str, total: int | None) -> None:
        self.enabled, self.label, self.total = enabled, label, total
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(), transient=False)
        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total)
        counter = {"n": 0}

        def advance() -> None:
            counter["n"] += 1
            if counter["n"] % 512 == 0:
                self.bar.update(task, completed=counter["n"])

        self.advance_task = (task, counter)
        return advance

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            task, counter = self.advance_task
            self.bar.update(task, completed=counter["n"])
            self.bar.stop()
