"""The modality-agnostic core: contracts (hookspecs), registry, config, data model, trainer."""
