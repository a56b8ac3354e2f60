"""Audio view generators and the augmentation components they are made of (one per file).

Waveform augmentations take ``[B, C, T]`` (NaN after a short clip's end) and keep that layout; ``audio-logmel``
turns waveforms into normalised log-mel ``[B, C, F, N]`` on the device; the spectrogram augmentations
(``audio-resized-crop``, ``audio-time-mask``, ``audio-frequency-mask``) come after it; ``audio-mixup`` works on
either. ``[views] name = "compose"`` chains them by name; ``audio-byola`` and ``audio-cola`` are the tuned
composites.
"""
