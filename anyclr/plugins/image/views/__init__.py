"""Image views: one augmentation per module, composed by :class:`SimCLRViews`."""
