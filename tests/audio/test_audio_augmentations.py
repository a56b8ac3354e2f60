"""Audio augmentations as components: the sample/apply contract, and what each one does to a clip."""

from __future__ import annotations

import math

import pytest
import torch
from augmentation_checks import count_ops, same, tensors_in

from anyclr.core.errors import AnyclrError
from anyclr.core.views import Compose, Step
from anyclr.plugins.audio.views.mixup import MixDraw
from anyclr.plugins.audio.waves import lengths

from .conftest import audio_registry

REGISTRY = audio_registry()

# Settings under which each augmentation's randomness shows; spectrogram ones get log-mel input.
SETTINGS = {
    "audio-random-crop": {"seconds": 0.25},
    "audio-gain": {"p": 0.8},
    "audio-noise": {"p": 0.8},
    "audio-time-shift": {"max_seconds": 0.05},
    "audio-polarity": {"p": 0.5},
    "audio-speed": {"p": 0.8},
    "audio-mixup": {"ratio": 0.4},
    "audio-resized-crop": {},
    "audio-time-mask": {"max_width": 4, "p": 0.8},
    "audio-frequency-mask": {"max_width": 4, "p": 0.8},
}
SPECTROGRAM = {"audio-resized-crop", "audio-time-mask", "audio-frequency-mask"}


def build(name: str, **changes):
    return REGISTRY.get("augmentation", name).factory(**{**SETTINGS[name], **changes})


def waves(b: int = 16, t: int = 8000, seed: int = 0, device: str = "cpu") -> torch.Tensor:
    """Noisy tones ``[B, 1, T]``; every other clip ends early (NaN padding)."""
    g = torch.Generator().manual_seed(seed)
    x = 0.3 * torch.sin(torch.arange(t) * 0.05 * (1 + torch.rand(b, 1, 1, generator=g))) + 0.05 * torch.randn(b, 1, t, generator=g)
    ends = torch.where(torch.arange(b) % 2 == 1, t // 2, t)
    x[torch.arange(t).expand(b, 1, t) >= ends.view(-1, 1, 1)] = float("nan")
    return x.to(device)


def inputs_for(name: str, b: int = 16, seed: int = 0) -> torch.Tensor:
    x = waves(b, seed=seed)
    return REGISTRY.get("augmentation", "audio-logmel").factory()(x) if name in SPECTROGRAM else x


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_every_audio_augmentation_is_covered():
    registered = {c.name for c in REGISTRY.components("augmentation", "audio")}
    assert registered == set(SETTINGS) | {"audio-logmel"}


@pytest.mark.parametrize("name", SETTINGS)
def test_same_params_give_the_same_view_and_apply_draws_nothing(name):
    aug, x = build(name), inputs_for(name)
    params = aug.sample(x, seeded(0))
    state = torch.get_rng_state()
    first, second = aug.apply(x, params), aug.apply(x, params)
    assert torch.equal(torch.get_rng_state(), state)
    assert same(first, second)
    assert not same(first, aug.apply(x, aug.sample(x, seeded(1))))


@pytest.mark.parametrize("name", SETTINGS)
def test_parameters_are_per_sample(name):
    one = inputs_for(name, b=1)
    x = one.expand(32, *one.shape[1:]).contiguous()
    out = build(name)(x, seeded(0)).flatten(1).nan_to_num(-99.0)
    assert out.unique(dim=0).shape[0] > 1


@pytest.mark.parametrize("name", SETTINGS)
def test_generator_makes_sample_reproducible_and_leaves_the_global_rng_alone(name):
    aug, x = build(name), inputs_for(name)
    state = torch.get_rng_state()
    a, b = aug.sample(x, seeded(7)), aug.sample(x, seeded(7))
    assert torch.equal(torch.get_rng_state(), state)
    assert same(a, b) and not same(a, aug.sample(x, seeded(8)))


@pytest.mark.parametrize("name", SETTINGS)
def test_runs_on_the_inputs_device_without_host_syncs(name):
    aug = build(name)
    shape = (8, 1, 64, 51) if name in SPECTROGRAM else (8, 1, 8000)
    x = torch.empty(shape, device="meta")
    params = aug.sample(x)
    assert all(t.device.type == "meta" for t in tensors_in(params))
    assert aug.apply(x, params).device.type == "meta"


@pytest.mark.parametrize("name", SETTINGS)
def test_no_per_sample_python_loop(name):
    aug = build(name)
    small, large = inputs_for(name, b=8), inputs_for(name, b=64)
    ops = [count_ops(lambda x=x: aug.apply(x, aug.sample(x, seeded(3)))) for x in (small, large)]
    assert ops[0] == ops[1]


@pytest.mark.parametrize("name", sorted(set(SETTINGS) - {"audio-random-crop"}))
def test_shape_kept_and_padding_stays_at_the_end(name):
    x = inputs_for(name)
    out = build(name)(x, seeded(0))
    assert out.shape == x.shape
    valid = ~torch.isnan(out[:, 0] if out.dim() == 3 else out[:, 0, 0])
    # NaN only after each clip's end, never inside it
    assert torch.equal(valid, torch.arange(valid.shape[1]) < valid.sum(1, keepdim=True))


def test_waveform_augmentations_refuse_spectrograms_with_a_clear_error():
    spec = inputs_for("audio-time-mask")
    with pytest.raises(AnyclrError, match="(?s)audio-gain works on waveforms.*before the audio-logmel step"):
        build("audio-gain")(spec)
    with pytest.raises(AnyclrError, match="(?s)audio-time-mask works on log-mel.*audio-logmel"):
        build("audio-time-mask")(waves())


def test_random_crop_stays_inside_each_clip():
    x = waves(16, 8000)
    x[:, :, :4000] = torch.arange(4000).float().expand(16, 1, 4000)  # sample values are their positions
    aug = build("audio-random-crop", seconds=0.125)  # 2,000 samples
    starts = aug.sample(x, seeded(0))
    out = aug.apply(x, starts)
    assert out.shape == (16, 1, 2000)
    n = lengths(x)
    assert bool(((starts >= 0) & (starts + 2000 <= n)).all()) and starts.unique().numel() > 4
    short = starts[n == 4000]
    assert torch.equal(out[n == 4000, 0, 0], short.float())  # the window starts where the parameters say
    # a clip shorter than the window keeps all of it, then padding
    tiny = build("audio-random-crop", seconds=0.5)(x[:2, :, :3000].contiguous(), seeded(0))
    assert tiny.shape == (2, 1, 8000) and int(lengths(tiny)[0]) == 3000


def test_gain_scales_by_the_drawn_decibels():
    x = waves(8)
    aug = build("audio-gain", p=1.0)
    params = aug.sample(x, seeded(0))
    ratio = aug.apply(x, params)[:, 0, 0] / x[:, 0, 0]
    torch.testing.assert_close(ratio, 10 ** (params.drawn / 20))


def test_noise_has_the_drawn_signal_to_noise_ratio():
    x = 0.5 * torch.sin(torch.arange(64000) * 0.01).expand(4, 1, -1).contiguous()
    aug = build("audio-noise", p=1.0, min_snr=5, max_snr=25)
    params = aug.sample(x, seeded(0))
    noise = aug.apply(x, params) - x
    snr = 10 * torch.log10(x.pow(2).mean(dim=(1, 2)) / noise.pow(2).mean(dim=(1, 2)))
    torch.testing.assert_close(snr, params.drawn.snr_db, atol=0.1, rtol=0)


def test_polarity_inverts_the_chosen_clips():
    x = waves(32)
    aug = build("audio-polarity")
    params = aug.sample(x, seeded(0))
    out = aug.apply(x, params)
    flipped = params.chosen
    assert 0 < int(flipped.sum()) < 32
    assert torch.equal(out[flipped].nan_to_num(), -x[flipped].nan_to_num()) and torch.equal(out[~flipped].nan_to_num(), x[~flipped].nan_to_num())


def test_time_shift_delays_with_silence_and_moves_the_end():
    x = torch.ones(2, 1, 100)
    x[1, :, 60:] = float("nan")
    aug = build("audio-time-shift", max_seconds=0.001, sample_rate=10000)  # up to 10 samples
    out = aug.apply(x, type(aug.sample(x))(torch.tensor([5, -4])))
    assert torch.equal(out[0, 0, :5], torch.zeros(5)) and torch.equal(out[0, 0, 5:], torch.ones(95))
    assert int(lengths(out)[1]) == 56 and bool((out[1, 0, :56] == 1).all())


def test_speed_change_resamples_and_shortens_faster_clips():
    t = torch.arange(1000).float()
    x = t.view(1, 1, -1).repeat(2, 1, 1)
    aug = build("audio-speed", p=1.0)
    out = aug.apply(x, type(aug.sample(x))(torch.tensor([2.0, 0.5])))
    assert int(lengths(out)[0]) == 500 and torch.allclose(out[0, 0, :500], 2 * t[:500])  # twice as fast
    assert int(lengths(out)[1]) == 1000 and torch.allclose(out[1, 0], 0.5 * t)  # half speed, cut at the end


def test_mixup_follows_its_formula_on_waveforms_and_log_mel():
    aug = build("audio-mixup", ratio=0.5)
    x = waves(4)
    partner = torch.rand(4, 1, 8000)
    ratio = torch.tensor([0.0, 0.1, 0.25, 0.5])
    out = aug.apply(x, MixDraw(ratio, partner))
    lam = ratio.view(-1, 1, 1)
    torch.testing.assert_close(out.nan_to_num(), ((1 - lam) * x + lam * partner).nan_to_num())
    spec, other = inputs_for("audio-time-mask", b=4), torch.randn(4, 1, 64, 51)
    mixed = aug.apply(spec, MixDraw(ratio, other))
    lam = ratio.view(-1, 1, 1, 1)
    want = torch.log((1 - lam) * spec.exp() + lam * other.exp())  # BYOL-A's log-mixup-exp
    torch.testing.assert_close(mixed.nan_to_num(), want.nan_to_num(), atol=1e-5, rtol=1e-5)
    assert torch.equal(torch.isnan(mixed), torch.isnan(spec))


def test_mixup_memory_gives_partners_from_past_batches():
    aug = build("audio-mixup", memory=8)
    first, second = torch.full((4, 1, 10), 1.0), torch.full((4, 1, 10), 2.0)
    assert bool((aug.sample(first, seeded(0)).partner == 1.0).all())  # empty memory: partners from the batch
    aug.apply(first, aug.sample(first, seeded(0)))
    assert aug.filled == 4
    assert bool((aug.sample(second, seeded(0)).partner == 1.0).all())  # now from the memory of the first batch
    aug.eval()
    aug.apply(second, aug.sample(second, seeded(0)))
    assert aug.filled == 4  # evaluation mode leaves the memory alone


def test_resized_crop_of_the_whole_spectrogram_is_the_identity():
    spec = inputs_for("audio-resized-crop", b=2)
    aug = build("audio-resized-crop", virtual_crop_scale=[1.0, 1.0])
    f, n = spec.shape[-2:]
    box = torch.tensor([[0.0, 0.0, f, n]] * 2)
    torch.testing.assert_close(aug.apply(spec, box).nan_to_num(), spec.nan_to_num(), atol=1e-4, rtol=0)


def test_masks_zero_stretches_inside_the_clip():
    spec = inputs_for("audio-time-mask", b=8)
    aug = build("audio-time-mask", max_width=6, count=1, p=1.0)
    params = aug.sample(spec, seeded(0))
    out = aug.apply(spec, params)
    start, width = params.drawn.start[:, 0], params.drawn.width[:, 0]
    for i in range(8):
        s, w = int(start[i]), int(width[i])
        assert bool((out[i, :, :, s : s + w] == 0).all())
        assert torch.equal(out[i, :, :, :s].nan_to_num(), spec[i, :, :, :s].nan_to_num())
    assert bool((start + width <= lengths(spec)).all())


def test_compose_pipeline_from_waveform_to_masked_log_mel():
    get = REGISTRY.get
    steps = [
        get("augmentation", "audio-random-crop").factory(seconds=0.3),
        get("augmentation", "audio-speed").factory(),
        get("augmentation", "audio-logmel").factory(),
        get("augmentation", "audio-time-mask").factory(),
    ]
    views = Compose([[Step(s) for s in steps]])(waves())
    assert len(views) == 2 and views[0].shape == (16, 1, 64, 31) and not torch.equal(views[0].nan_to_num(), views[1].nan_to_num())


def test_byola_and_cola_views():
    x = waves(8)
    byola = REGISTRY.get("view", "audio-byola").factory(memory=16)
    v1, v2 = byola(x)
    assert v1.shape == (8, 1, 64, 51) and not torch.equal(v1.nan_to_num(), v2.nan_to_num())
    cola = REGISTRY.get("view", "audio-cola").factory(crop_seconds=0.2)
    a, b = cola(x)
    assert a.shape == b.shape == (8, 1, 3200) and not torch.equal(a, b)
    assert math.isclose(float(lengths(a).float().mean()), 3200)
