"""anyclr plug-in 'example' (registered through the entry point in pyproject.toml)."""
