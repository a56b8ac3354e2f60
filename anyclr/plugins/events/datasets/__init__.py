"""datasets of the event-sequence plug-in."""
