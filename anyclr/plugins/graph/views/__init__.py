"""Graph views: one augmentation component per module, each sampling its masks for a whole PyG Batch at once.

``base.py`` holds the shape they share (sample a ``GraphEdit``, then cut and change); ``one_of.py`` is GraphCL's
per-graph random choice; ``graph_views.py`` the tuned ``graph-augment`` view generator built on them.
"""
