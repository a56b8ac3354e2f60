"""objectives of the event-sequence plug-in."""
