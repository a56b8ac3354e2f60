"""Time-series view generators and the batched transforms they are made of (one per file)."""
