"""Time series: UCR/UEA and file datasets, TS2Vec/TS-TCC/TF-C views, dilated-conv/ResNet/Transformer encoders.

Batches are float tensors ``[B, T, C]`` in which NaN marks a missing value; series shorter than the
batch are padded at the end with NaN. Per-timestamp encoder outputs ``[B, T, D]`` carry NaN at the
timestamps that had no observed value, so losses and pooling can mask them out.
"""
