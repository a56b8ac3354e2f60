"""Event sequences: entities (clients, users, devices) embedded from their event logs (CoLES and friends).

A sample is one entity's events sorted by time (:class:`~anyclr.plugins.events.batch.EventSequence`); a batch
pads them into an :class:`~anyclr.plugins.events.batch.EventBatch` with lengths. Categorical values travel as
stable 64-bit codes of their text and are looked up in the vocabulary the encoder keeps (fitted on the training
entities and saved with its weights), so ``anyclr embed`` reads new logs with the training vocabulary.
"""
