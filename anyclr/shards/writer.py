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
from anyclr.core.data import BadSample, DataBundle, DataHealth, is_stream, metadata_of
from anyclr.core.errors import AnyclrError
from anyclr.core.writing import writing
from anyclr.shards.reader import INFO_KEY, codec_named


class Encoded(Dataset):
    """A map-style dataset's samples, decoded and re-encoded for a shard (in DataLoader workers), with their metadata."""

    def __init__(self, ds: Dataset, codec: SampleCodec) -> None:
        self.ds = ds
        self.codec = codec
        meta = metadata_of(ds)
        self.meta = {k: [_plain(v) for v in values] for k, values in meta.items() if k != "label"}

    def __len__(self) -> int:
        return len(self.ds)

    def __getitem__(self, idx: int) -> dict[str, bytes] | BadSample:
        return encode_sample(self.ds[idx], self.codec, {k: v[idx] for k, v in self.meta.items()})


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def encode_sample(sample: Any, codec: SampleCodec, meta: dict[str, Any] | None = None) -> dict[str, bytes] | BadSample:
    """Return a sample's shard members (its input by the codec, its label as ``cls``, other metadata as
    ``meta.json``), or the BadSample itself."""
    if isinstance(sample, BadSample):
        return sample
    inputs, label = sample[0], sample[1]
    members = codec.encode(inputs)
    members["cls"] = str(int(label)).encode()
    if meta:
        members["meta.json"] = json.dumps(meta, default=str).encode()
    return members


def encoded_samples(ds: Dataset, codec: SampleCodec, workers: int) -> Iterator[dict[str, bytes] | BadSample]:
    """Yield every sample of ``ds`` encoded, in order (a stream: one ordered pass)."""
    if is_stream(ds):
        for sample in ds:
            yield encode_sample(sample, codec, sample[2] if not isinstance(sample, BadSample) and len(sample) > 2 else None)
        return
    loader = DataLoader(Encoded(ds, codec), batch_size=None, num_workers=workers, prefetch_factor=8 if workers else None)
    yield from loader


class ShardFiles:
    """Shards ``OUT/<split>-NNNNNN.tar`` of at most ``per_shard`` samples, each written to a temporary name first."""

    def __init__(self, out: Path, split: str, per_shard: int, header: dict[str, Any]) -> None:
        self.out, self.split, self.per_shard, self.header = out, split, per_shard, header
        self.index = 0
        self.count = 0  # samples in the current shard
        self.count_all = 0
        self.bytes = 0
        self.writer: Any = None
        self.tmp = self.final = Path()
        self.written: list[Path] = []

    def write(self, key: str, members: dict[str, bytes]) -> None:
        """Add one sample, starting a new shard when the current one is full."""
        if self.writer is None or self.count >= self.per_shard:
            self.close()
            self._open()
        self.writer.write({"__key__": key, **members})
        self.count += 1
        self.count_all += 1
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
        self.written.append(self.final)

    def abort(self) -> None:
        """Remove the shard being written and every shard this writer finished (a failed write leaves nothing)."""
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:  # the disk may be full: closing can fail too
                pass
            self.writer = None
        for path in [self.tmp, *self.written]:
            if path.name and path.exists():
                path.unlink()


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
    health = DataHealth(bundle.max_bad_fraction)
    result: dict[str, Any] = {"out": str(out), "codec": codec_name, "splits": {}}
    start = time.perf_counter()
    total = 0
    done: list[ShardFiles] = []
    try:
        with writing(out, "shards"):
            for split in ("train", "test"):
                ds = bundle.split(split)
                if ds is None:
                    continue
                files = ShardFiles(out, split, samples_per_shard, header)
                done.append(files)
                n = None if is_stream(ds) else len(ds)
                with _progress(progress, f"{split} shards", n) as advance:
                    for i, members in enumerate(encoded_samples(ds, codec, workers)):
                        if isinstance(members, BadSample):
                            health.record(0, [members])
                            continue
                        files.write(f"{i:09d}", members)
                        health.record(1, [])
                        advance()
                    files.close()
                total += files.count_all
                result["splits"][split] = {"samples": files.count_all, "shards": files.index, "bytes": files.bytes}
            health.check()
    except BaseException:
        for files in done:  # nothing half-written stays behind, so the same command can simply run again
            files.abort()
        raise
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
