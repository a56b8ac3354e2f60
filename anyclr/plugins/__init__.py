"""Built-in modality plug-ins; each registers through the ``anyclr`` entry point exactly as a third-party one would."""
