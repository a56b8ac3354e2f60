"""Modality-agnostic view generators (the generic ``compose`` pipeline of augmentation components)."""
