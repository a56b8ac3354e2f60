"""The front end against torchaudio, the encoders' shapes and masks, and the MFCC baseline against its definition."""

from __future__ import annotations

import pytest
import torch
import torchaudio

from anyclr.core.errors import AnyclrError
from anyclr.plugins.audio.datasets.mfcc_stats import MFCCStats
from anyclr.plugins.audio.encoders.byola_cnn import ByolaCNN
from anyclr.plugins.audio.encoders.panns import cnn6, cnn10
from anyclr.plugins.audio.encoders.wave_conv import WaveConv
from anyclr.plugins.audio.frontend import FrontEnd
from anyclr.plugins.audio.waves import lengths


def clips(b: int = 4, t: int = 8000, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = 0.2 * torch.randn(b, 1, t, generator=g)
    x[1, :, t // 2 :] = float("nan")  # the second clip ends half-way
    return x


def test_front_end_is_normalised_torchaudio_log_mel_with_frames_past_the_end_masked():
    x = clips()
    fe = FrontEnd(16000, {"mean": -2.0, "std": 3.0})
    out = fe(x)
    mel = torchaudio.transforms.MelSpectrogram(16000, n_fft=400, win_length=400, hop_length=160, f_min=60.0, f_max=7800.0, n_mels=64)
    want = ((mel(x.nan_to_num()) + 1e-6).log() + 2.0) / 3.0
    assert out.shape == (4, 1, 64, 51)
    torch.testing.assert_close(out[0], want[0])
    assert int(lengths(out)[1]) == 4000 // 160 + 1 and torch.equal(out[1, :, :, :26], want[1, :, :, :26])
    mfcc = FrontEnd(16000, {"kind": "mfcc", "n_mfcc": 13, "mean": -2.0, "std": 3.0})(x)
    dct = torchaudio.functional.create_dct(13, 64, "ortho")
    torch.testing.assert_close(mfcc[0], (want[0].transpose(-1, -2) @ dct).transpose(-1, -2), atol=1e-4, rtol=1e-4)


ENCODERS = {
    "byola": lambda: ByolaCNN(width=8, dim=32),
    "cnn6": lambda: cnn6(width=4, dim=16),
    "cnn10": lambda: cnn10(width=4, dim=16),
    "wave": lambda: WaveConv(width=8, dim=16),
}


@pytest.mark.parametrize("name", ENCODERS)
def test_encoders_give_clip_embeddings_and_per_frame_outputs(name):
    enc = ENCODERS[name]().eval()
    x = clips()
    z = enc(x)
    frames = enc.frames(x)
    assert z.shape == (4, enc.out_dim) and torch.isfinite(z).all()
    assert frames.dim() == 3 and frames.shape[-1] == enc.out_dim
    valid = ~torch.isnan(frames[..., 0])
    assert bool(valid[0].all()) and 0 < int(valid[1].sum()) < frames.shape[1]  # the short clip's tail is padding
    # what sits in the padding does not matter: the clip is cut at its end
    other = x.clone()
    other[1, :, 4000:] = 0.0
    other[1, :, 4000:] = float("nan")
    torch.testing.assert_close(enc(other), z)


@pytest.mark.parametrize("name", ["byola", "cnn6"])
def test_spectrogram_input_from_the_views_equals_the_encoders_own_front_end(name):
    enc = ENCODERS[name]().eval()
    x = clips()
    torch.testing.assert_close(enc(enc.front(x)), enc(x))


def test_encoder_errors_name_the_mismatch():
    enc = ByolaCNN(width=8, dim=16)
    with pytest.raises(AnyclrError, match="spectrogram has 40 bins but the encoder's front end makes 64"):
        enc(torch.randn(2, 1, 40, 50))
    with pytest.raises(AnyclrError, match="2 channel.*built for 1"):
        enc(torch.randn(2, 2, 8000))
    with pytest.raises(AnyclrError, match="pools 8 frames into one, but the input has only 4"):
        enc(torch.randn(2, 1, 480))
    with pytest.raises(AnyclrError, match="wave-conv needs at least 465 samples"):
        WaveConv()(torch.randn(2, 1, 400))


def test_mfcc_baseline_is_mean_and_std_of_mfccs_and_deltas_over_the_clip():
    x = clips(t=16000)
    feats = MFCCStats(16000)(x)
    mfcc = torchaudio.transforms.MFCC(16000, n_mfcc=20, melkwargs={"n_fft": 400, "hop_length": 160, "n_mels": 40, "f_max": 8000.0})
    c = mfcc(x[0, 0])
    both = torch.cat([c, torchaudio.functional.compute_deltas(c)])
    assert feats.shape == (4, 80)
    torch.testing.assert_close(feats[0], torch.cat([both.mean(1), both.std(1, unbiased=False)]), atol=1e-4, rtol=1e-4)
    short = torch.cat([mfcc(x[1, 0].nan_to_num()), torchaudio.functional.compute_deltas(mfcc(x[1, 0].nan_to_num()))])[:, :51]
    torch.testing.assert_close(feats[1, :40], short.mean(1), atol=1e-4, rtol=1e-4)  # frames after the end left out
