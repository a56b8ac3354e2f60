"""Read WebDataset shards written by ``anyclr shard`` as a stream (``data.name = "shards"``).

``data.path`` is the folder ``anyclr shard`` wrote (``train-*.tar`` and, if present, ``test-*.tar``), a brace
pattern (``OUT/train-{000000..000099}.tar``), a glob, one ``.tar``, or anything WebDataset opens
(``pipe:curl -s https://…/train-{000000..000009}.tar``). Every shard starts with an ``_anyclr_info`` record
(the dataset's ``info`` and the codec that encoded its samples), so shards describe themselves.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from anyclr.core.codec import SampleCodec
from anyclr.core.data import BadSample, DataBundle
from anyclr.core.errors import AnyclrError
from anyclr.core.stream import SampleStream

INFO_KEY = "_anyclr_info"


def expand(path: str, split: str = "train") -> list[str]:
    """Return the shard URLs of ``path`` (a folder, brace pattern, glob, one file or a ``pipe:`` URL), sorted."""
    import braceexpand

    if path.startswith("pipe:") or "://" in path:
        return list(braceexpand.braceexpand(path))
    p = Path(path).expanduser()
    if p.is_dir():
        urls = sorted(str(f) for f in p.glob(f"{split}-*.tar"))
        if not urls and split == "train":
            urls = sorted(str(f) for f in p.glob("*.tar"))
        return urls
    urls = []
    for item in braceexpand.braceexpand(str(p)):
        urls += sorted(glob.glob(item)) if any(c in item for c in "*?[") else [item]
    missing = [u for u in urls if not Path(u).is_file()]
    if missing:
        raise AnyclrError(
            f"Shard {missing[0]} does not exist" + (f" ({len(missing)} of {len(urls)} missing)." if len(missing) > 1 else "."),
            "Check data.path: a folder written by `anyclr shard`, or a pattern such as OUT/train-{000000..000009}.tar.",
        )
    return urls


def tar_records(url: str) -> Iterator[dict[str, Any] | BadSample]:
    """Yield the samples of one shard as WebDataset dicts; a shard that breaks off yields one BadSample."""
    import webdataset as wds

    errors: list[Exception] = []
    last = "(start)"

    def keep_going(exc: Exception) -> bool:
        errors.append(exc)
        return True

    for sample in wds.tarfile_samples([{"url": url}], handler=keep_going):
        while errors:
            yield BadSample(f"{url}, after key {last}", _reason(errors.pop(0)))
        last = sample["__key__"]
        yield sample
    for exc in errors:
        yield BadSample(f"{url}, after key {last}", _reason(exc))


def _reason(exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else ""
    return f"{type(exc).__name__}: {text}".strip().split(" @ <")[0]


def read_info(url: str) -> dict[str, Any]:
    """Return the ``_anyclr_info`` record of a shard (its first record)."""
    for record in tar_records(url):
        if isinstance(record, BadSample):
            raise AnyclrError(f"Cannot read shard {url}: {record.reason}", "Is it a tar file written by `anyclr shard`?")
        if record["__key__"] == INFO_KEY:
            return json.loads(record["json"])
        break
    raise AnyclrError(
        f"Shard {url} has no {INFO_KEY} record: it was not written by `anyclr shard`.",
        "Write shards with `anyclr shard DATASET OUT`.",
    )


class ShardStream(SampleStream):
    """The samples of a list of shards, decoded with the codec that wrote them."""

    def __init__(self, urls: list[str], codec: SampleCodec, shuffle_buffer: int = 1000) -> None:
        self.urls = list(urls)
        self.codec = codec
        self.shuffle_buffer = int(shuffle_buffer)

    def parts(self) -> list[str]:
        """Return the shard URLs."""
        return self.urls

    def read(self, part: int) -> Iterator[Any]:
        """Yield the raw (undecoded) samples of one shard."""
        for record in tar_records(self.urls[part]):
            if isinstance(record, BadSample) or record["__key__"] != INFO_KEY:
                yield record

    def decode(self, record: dict[str, Any]) -> tuple[Any, int] | tuple[Any, int, dict[str, Any]]:
        """Decode one sample with the shard's codec; its label is the ``cls`` member (-1 without one) and its other
        metadata (group, id, extra label columns) the ``meta.json`` member."""
        label = int(record["cls"]) if "cls" in record else -1
        if "meta.json" in record:
            return self.codec.decode(record), label, json.loads(record["meta.json"])
        return self.codec.decode(record), label

    def where(self, record: dict[str, Any]) -> str:
        """Name the shard and key of a record."""
        return f"{record.get('__url__', '?')}, key {record.get('__key__', '?')}"


def shards(path: str, test_path: str = "", shuffle_buffer: int = 1000, max_bad_fraction: float = 0.01) -> DataBundle:
    """Samples from WebDataset shards written by `anyclr shard` (data.path: the folder, a brace pattern, or a pipe: URL)."""
    train_urls = expand(path, "train")
    if not train_urls:
        raise AnyclrError(f"No shard matches data.path = {path!r}.", "Point it at a folder written by `anyclr shard` or a pattern of .tar files.")
    test_urls = expand(test_path, "test") if test_path else (expand(path, "test") if Path(path).expanduser().is_dir() else [])
    header = read_info(train_urls[0])
    codec = codec_named(header.get("codec", "tensor"), header.get("info", {}))
    if shuffle_buffer < 0:
        raise AnyclrError(f"data.shuffle_buffer must be 0 or more, got {shuffle_buffer}.")
    if not 0.0 <= max_bad_fraction <= 1.0:
        raise AnyclrError(f"data.max_bad_fraction must be between 0 and 1, got {max_bad_fraction}.")
    info = {**header.get("info", {}), "shards": len(train_urls), "codec": header.get("codec", "tensor")}
    return DataBundle(
        train=ShardStream(train_urls, codec, shuffle_buffer),
        test=ShardStream(test_urls, codec, 0) if test_urls else None,
        collate=codec.collate,
        info=info,
        raw_features=codec.raw_features,
        max_bad_fraction=max_bad_fraction,
    )


def codec_named(name: str, info: dict[str, Any] | None = None) -> SampleCodec:
    """Build the codec component ``name`` (from the installed plug-ins), passing the dataset ``info`` keys its
    factory names (an audio codec's ``sample_rate``), as for every other component."""
    from anyclr.core.registry import get_registry

    component = get_registry().get("codec", name)
    accepted = component.parameters()
    return component.factory(**{k: v for k, v in (info or {}).items() if k in accepted})
