"""How audio samples are stored in shards: the clip as 24-bit FLAC and the segment length; other tensors as ``.npy``."""

from __future__ import annotations

import io

import numpy as np
import torch

from anyclr.core.codec import SampleCodec
from anyclr.plugins.audio.datasets.mfcc_stats import MFCCStats
from anyclr.plugins.audio.waves import pad_to
from anyclr.shards.tensor_codec import npy_array, npy_bytes


class FlacCodec:
    """Encode ``[C, T]`` waveforms (NaN after the clip's end) as FLAC of the clip plus ``samples.txt`` (the segment
    length, to pad back). Values beyond full scale, or anything that is not such a waveform, go as ``.npy``."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = int(sample_rate)

    def encode(self, wave: torch.Tensor) -> dict[str, bytes]:
        """Return the shard members of one sample."""
        import soundfile as sf

        x = wave.detach().cpu()
        if x.dim() != 2 or not x.is_floating_point():
            return {"npy": npy_bytes(x.numpy())}
        n = int((~torch.isnan(x[0])).sum())
        clip = x[:, :n]
        if n == 0 or not bool(torch.isfinite(clip).all()) or float(clip.abs().max()) > 1.0:
            return {"npy": npy_bytes(x.numpy())}
        buffer = io.BytesIO()
        sf.write(buffer, clip.T.numpy(), self.sample_rate, format="FLAC", subtype="PCM_24")
        return {"flac": buffer.getvalue(), "samples.txt": str(x.shape[1]).encode()}

    def decode(self, record: dict[str, bytes]) -> torch.Tensor:
        """Return what :meth:`encode` wrote as a ``[C, T]`` float32 waveform."""
        if "flac" not in record:
            return torch.from_numpy(npy_array(record["npy"]))
        import soundfile as sf

        data, _ = sf.read(io.BytesIO(record["flac"]), dtype="float32", always_2d=True)
        wave = torch.from_numpy(np.ascontiguousarray(data.T))
        return pad_to(wave, int(record["samples.txt"])) if "samples.txt" in record else wave


def audio_codec(sample_rate: int = 16000) -> SampleCodec:
    """Audio segments as 24-bit FLAC files (sample_rate from the dataset); the MFCC baseline comes along."""
    codec = FlacCodec(sample_rate)
    return SampleCodec(encode=codec.encode, decode=codec.decode, raw_features=MFCCStats(sample_rate))
