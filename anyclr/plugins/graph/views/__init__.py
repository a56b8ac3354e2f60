"""Graph views: one augmentation per module, each applied to a whole PyG Batch with per-graph randomness."""
