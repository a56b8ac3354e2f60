"""Audio datasets: class folders and CSV/Parquet manifests of recordings, and spoken digits made with espeak-ng.

Every reader decodes lazily (``datasets/decode.py``, in DataLoader workers), declares labels and groups as
metadata, and returns a :class:`~anyclr.core.data.BadSample` naming file and row for a clip it cannot use.
"""
