"""Event-sequence encoders: field embeddings (``fields.py``), then a GRU (``gru.py``) or a Transformer (``transformer.py``)."""
