"""The front end every audio component shares: waveforms to normalised log-mel (or MFCC) spectrograms, on the device.

One set of settings (``info["front_end"]``, made by the dataset from ``data.front_end``) reaches the
``audio-logmel`` view step and every encoder, so views that augment log-mel (BYOL-A) and encoders that
compute it themselves (COLA's views stay waveforms; evaluation always feeds waveforms) agree, and the
normalising mean and std are the training set's, measured with those very settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
from torch import nn

from anyclr.core.errors import AnyclrError, unknown_name
from anyclr.plugins.audio.waves import as_waves, filled, lengths, mask_from_lengths, with_padding

KINDS = ("logmel", "mfcc")
LOG_OFFSET = 1e-6  # added to mel power before the log, so silence stays finite
CHUNK_CLIPS = 32  # clips per STFT call on CPU


@dataclass(frozen=True)
class FrontEndSettings:
    """How waveforms become spectrograms: BYOL-A's log-mel settings by default (25 ms windows, 10 ms hop, 64 mels).

    ``mean`` and ``std`` standardise the log-mel values (the dataset measures them on training clips);
    ``kind = "mfcc"`` adds a DCT of the normalised log-mel, keeping ``n_mfcc`` coefficients.
    """

    kind: str = "logmel"
    n_fft: int = 400
    win_length: int = 400
    hop_length: int = 160
    n_mels: int = 64
    f_min: float = 60.0
    f_max: float = 7800.0
    n_mfcc: int = 20
    mean: float = 0.0
    std: float = 1.0

    @classmethod
    def of(cls, front_end: dict[str, Any] | FrontEndSettings | None, sample_rate: int, where: str = "front_end") -> FrontEndSettings:
        """Return the settings from a recipe table (missing keys take the defaults), checked against ``sample_rate``."""
        if isinstance(front_end, FrontEndSettings):
            settings = front_end
        else:
            table = dict(front_end or {})
            names = [f.name for f in fields(cls)]
            for key in table:
                if key not in names:
                    raise unknown_name(f"key in {where}:", key, names)
            try:
                settings = cls(**{k: type(getattr(cls, k))(v) for k, v in table.items()})
            except (TypeError, ValueError) as exc:
                raise AnyclrError(f"Bad value in {where}: {exc}") from None
        settings.check(sample_rate, where)
        return settings

    def check(self, sample_rate: int, where: str) -> None:
        """Raise a clear error for settings that cannot work at ``sample_rate``."""
        if self.kind not in KINDS:
            raise unknown_name(f"{where}.kind", self.kind, KINDS)
        if sample_rate < 2 * self.f_max:
            raise AnyclrError(
                f"The sample rate {sample_rate} Hz is below twice the mel bank's top frequency {where}.f_max = {self.f_max:g} Hz "
                f"(the highest frequency {sample_rate} Hz audio holds is {sample_rate / 2:g} Hz).",
                f"Lower {where}.f_max to at most {sample_rate / 2:g}, or raise data.sample_rate.",
            )
        if not 0 <= self.f_min < self.f_max:
            raise AnyclrError(f"{where}.f_min = {self.f_min:g} must be at least 0 and below f_max = {self.f_max:g}.")
        if self.hop_length < 1 or self.win_length < 1 or self.n_fft < self.win_length:
            raise AnyclrError(f"{where}: need hop_length >= 1 and n_fft >= win_length >= 1 (got {self.hop_length}, {self.n_fft}, {self.win_length}).")
        if self.n_mels < 1 or (self.kind == "mfcc" and not 1 <= self.n_mfcc <= self.n_mels):
            raise AnyclrError(f"{where}: need n_mels >= 1 and 1 <= n_mfcc <= n_mels (got {self.n_mels}, {self.n_mfcc}).")
        if not self.std > 0:
            raise AnyclrError(f"{where}.std must be positive, got {self.std}.")

    @property
    def bins(self) -> int:
        """Rows of the spectrogram: mel bands, or MFCC coefficients."""
        return self.n_mfcc if self.kind == "mfcc" else self.n_mels

    def frames(self, samples: int) -> int:
        """Return the frames of a ``samples``-long segment (windows centred every ``hop_length``)."""
        return samples // self.hop_length + 1

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as a plain table (for ``info`` and shard headers)."""
        return asdict(self)


class FrontEnd(nn.Module):
    """Waveforms ``[B, C, T]`` (NaN after a clip's end) to normalised log-mel ``[B, C, F, N]`` (NaN past the end).

    ``(log(mel power + 1e-6) - mean) / std`` with torchaudio's mel filterbank; frame ``n`` (centred on sample
    ``n * hop_length``) belongs to the clip when its centre is at or before the clip's end. Runs in float32
    whatever the caller's autocast.
    """

    def __init__(self, sample_rate: int = 16000, front_end: dict[str, Any] | FrontEndSettings | None = None) -> None:
        super().__init__()
        import torchaudio

        self.sample_rate = int(sample_rate)
        self.settings = FrontEndSettings.of(front_end, self.sample_rate)
        s = self.settings
        self.mel = torchaudio.transforms.MelSpectrogram(
            self.sample_rate, n_fft=s.n_fft, win_length=s.win_length, hop_length=s.hop_length,
            f_min=s.f_min, f_max=s.f_max, n_mels=s.n_mels, power=2.0, center=True,
        )  # fmt: skip
        if s.kind == "mfcc":
            self.register_buffer("dct", torchaudio.functional.create_dct(s.n_mfcc, s.n_mels, "ortho"), persistent=False)
        else:
            self.dct = None

    def forward(self, waves: torch.Tensor) -> torch.Tensor:
        """Return the normalised spectrograms of a waveform batch."""
        x = as_waves(waves, "the audio front end")
        s = self.settings
        with torch.autocast(device_type=x.device.type, enabled=False):
            n = lengths(x)
            spec = self.mel_power(filled(x.float()))
            out = ((spec + LOG_OFFSET).log() - s.mean) / s.std
            if self.dct is not None:
                out = (out.transpose(-1, -2) @ self.dct).transpose(-1, -2)
        frames = out.shape[-1]
        valid = torch.minimum(n // s.hop_length + 1, torch.full_like(n, frames))
        return with_padding(out, mask_from_lengths(valid, frames))

    def mel_power(self, x: torch.Tensor) -> torch.Tensor:
        """Return torchaudio's mel power ``[B, C, n_mels, N]`` of zero-filled waveforms; on CPU in chunks of clips,
        whose frames stay in cache (a whole batch of 256 one-second clips at once ran 1.5-2x slower)."""
        if x.device.type != "cpu" or x.shape[0] <= CHUNK_CLIPS:
            return self.mel(x)
        return torch.cat([self.mel(part) for part in x.split(CHUNK_CLIPS)])

    def extra_repr(self) -> str:
        s = self.settings
        return f"{s.kind}, sample_rate={self.sample_rate}, n_mels={s.n_mels}, hop_length={s.hop_length}, mean={s.mean:.3g}, std={s.std:.3g}"
