"""Audio encoders: BYOL-A's log-mel CNN, PANNs' CNN6/CNN10, and a strided 1-D convolution front end on waveforms.

Each takes waveforms ``[B, C, T]`` (its own front end makes the log-mel) or log-mel ``[B, C, F, N]`` from the
views; ``forward`` gives pooled clip embeddings ``[B, D]`` and ``frames`` per-frame outputs ``[B, N', D]``
(NaN past the clip's end).
"""
