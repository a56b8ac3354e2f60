"""Event-sequence views: each augmentation in its own file (sample parameters for the batch, then apply).

``slice.py`` CoLES's random contiguous slices, ``event_dropout.py``, ``time_shift.py``, ``time_warp.py``,
``field_mask.py``; ``coles.py`` the tuned view generator (several slices per entity).
"""
