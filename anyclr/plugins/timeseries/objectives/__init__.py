"""Time-series objectives: TS2Vec's hierarchical contrastive loss."""
