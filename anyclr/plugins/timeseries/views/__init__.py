"""Time-series view generators and the augmentation components they are made of (one per file).

Augmentations (``anyclr components --kind augmentation``) take series [B, T, C] (NaN = missing) or a
:class:`~anyclr.plugins.timeseries.series.SeriesView`; ``[views] name = "compose"`` chains them by name, and
the tuned composites (``timeseries-crops``, ``-tstcc``, ``-frequency``, ``-slicewarp``) draw through them.
"""
