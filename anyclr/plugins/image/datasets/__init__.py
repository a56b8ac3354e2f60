"""Image dataset readers; each returns a DataBundle of uint8 tensors [N, C, H, W] with image ``info``."""
