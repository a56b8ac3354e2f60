"""Time-series encoders: TS2Vec's dilated convolutions, a 1-D ResNet, a Transformer."""
