"""Audio: class folders and manifests of recordings, spoken digits made with espeak-ng, BYOL-A/COLA views,
log-mel CNN encoders (BYOL-A's, PANNs' CNN6/CNN10, a strided waveform front end) and COLA's objective.

A batch is a waveform tensor ``[B, C, T]`` (float, about [-1, 1]) in which NaN marks the samples after the
end of a clip shorter than the segment (the mask); after the ``audio-logmel`` view step it is a normalised
log-mel spectrogram ``[B, C, n_mels, frames]`` with NaN in the frames past the clip's end. Encoders take
either: a waveform goes through their own front end, a spectrogram is used as it is.
"""
