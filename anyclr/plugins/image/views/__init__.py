"""Image views: one augmentation component per module (``anyclr components --kind augmentation``).

Each is an :class:`~anyclr.core.views.Augmentation` (sample the batch's parameters, then apply them) that
takes uint8 or float images [B, C, H, W] and returns floats in [0, 1]; ``[views] name = "compose"`` chains
them by name, and :class:`~anyclr.plugins.image.views.simclr.SimCLRViews` (``image-simclr``) draws through
them and fuses the apply.
"""
