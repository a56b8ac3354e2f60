"""Templates for ``anyclr new-plugin`` (``*.tmpl``; ``__module__`` / ``__name__`` in paths are replaced)."""
