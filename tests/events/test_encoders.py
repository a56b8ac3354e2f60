"""Event encoders: padding changes nothing, the vocabulary travels with the weights, unknown values are handled."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.batch import MASK_CODE, EventSequence, pad_sequences
from anyclr.plugins.events.datasets.codes import text_codes
from anyclr.plugins.events.encoders.gru import EventGRU
from anyclr.plugins.events.encoders.transformer import EventTransformer


def fields(values: list[str], calendar: bool = True) -> dict:
    codes = text_codes(values)
    order = np.argsort(codes)
    return {
        "categorical": {"kind": {"codes": codes[order].tolist(), "rows": (order + 1).tolist(), "size": len(values) + 1}},
        "numeric": {"amount": {"mean": 1.0, "std": 2.0}},
        "time": {"kind": "timestamp", "gap_mean": 5.0, "gap_std": 2.0, "calendar": calendar},
    }


def entity(kinds: list[str], start: float = 1.7e9, gap: float = 3600.0) -> EventSequence:
    n = len(kinds)
    return EventSequence(start + gap * np.arange(n), text_codes(kinds)[:, None], np.arange(n, dtype=np.float32)[:, None])


ENCODERS = {
    "gru": lambda f: EventGRU(f, hidden=16, cat_dim=4, num_dim=3),
    "gru-mean": lambda f: EventGRU(f, hidden=16, cat_dim=4, num_dim=0, pool="mean"),
    "transformer": lambda f: EventTransformer(f, width=16, depth=1, heads=2, cat_dim=4, num_dim=3, dropout=0.0),
}


@pytest.mark.parametrize("name", list(ENCODERS))
def test_an_entity_encodes_the_same_alone_or_padded_in_a_batch(name):
    torch.manual_seed(0)
    enc = ENCODERS[name](fields(["a", "b", "c"])).eval()
    short, long = entity(["a", "b"]), entity(["c", "a", "b", "b", "a", "c", "c"])
    with torch.no_grad():
        alone = enc(pad_sequences([short]))
        together = enc(pad_sequences([long, short]))
    assert together.shape == (2, enc.out_dim)
    torch.testing.assert_close(together[1], alone[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", list(ENCODERS))
def test_values_never_seen_embed_as_unknown_with_one_warning(name, caplog):
    torch.manual_seed(0)
    enc = ENCODERS[name](fields(["a", "b", "c"])).eval()
    seen = pad_sequences([entity(["a", "zzz", "b"])])
    masked = pad_sequences([entity(["a", "a", "b"])])
    masked.categorical[0, 1, 0] = MASK_CODE
    with caplog.at_level(logging.WARNING, logger="anyclr.events"), torch.no_grad():
        a, b = enc(seen), enc(masked)
        enc(seen)
    torch.testing.assert_close(a, b)
    assert caplog.text.count("never seen in training") == 1 and "1 of 3 events" in caplog.text


def test_the_saved_vocabulary_wins_over_the_one_built_from_new_data():
    torch.manual_seed(0)
    trained = EventGRU(fields(["a", "b", "c"]), hidden=8, cat_dim=4).eval()
    later = EventGRU(fields(["b", "x", "y", "z", "w"]), hidden=8, cat_dim=4).eval()  # what `embed` builds from new data
    later.load_state_dict(trained.state_dict(), strict=True)
    x = pad_sequences([entity(["c", "b", "a"]), entity(["x", "a"])])
    with torch.no_grad():
        torch.testing.assert_close(later(x), trained(x))
    assert later.fields.categorical[0].weight.shape == (4, 4)


def test_calendar_features_repeat_weekly():
    torch.manual_seed(0)
    enc = EventGRU(fields(["a", "b"]), hidden=8).eval()
    kinds = ["a", "b", "a"]
    with torch.no_grad():
        base = enc(pad_sequences([entity(kinds)]))
        week = enc(pad_sequences([entity(kinds, start=1.7e9 + 7 * 86400)]))
        hour = enc(pad_sequences([entity(kinds, start=1.7e9 + 3600)]))
    torch.testing.assert_close(base, week)
    assert not torch.allclose(base, hour)


def test_encoders_need_the_dataset_fields():
    with pytest.raises(AnyclrError, match="need the dataset's event_fields"):
        EventGRU(None)


@pytest.mark.parametrize("pool", ["last", "mean", "max"])
def test_length_buckets_give_the_one_pass_result(pool):
    torch.manual_seed(0)
    enc = EventGRU(fields(["a", "b", "c"]), hidden=8, cat_dim=4, pool=pool, buckets=3).eval()
    rng = np.random.default_rng(0)
    x = pad_sequences([entity(list(rng.choice(["a", "b", "c"], int(n)))) for n in rng.integers(1, 12, 10)])
    with torch.no_grad():
        bucketed = enc(x)
        enc.buckets = 1
        torch.testing.assert_close(bucketed, enc(x), atol=1e-5, rtol=1e-5)
