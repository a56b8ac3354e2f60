"""Datasets as WebDataset tar shards: ``anyclr shard`` writes any registered dataset, ``data.name = "shards"`` reads it."""
