"""Built-in objectives, one per module; registered through the ``anyclr_objectives`` hook in ``plugin.py``."""
