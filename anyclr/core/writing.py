"""Failures to write run files (disk full, read-only folder, no permission) as errors a user can act on."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from anyclr.core.errors import AnyclrError

NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
NOT_ALLOWED = {errno.EROFS, errno.EACCES, errno.EPERM}


def write_error(exc: OSError, path: str | Path, what: str = "run files", exact: bool = False) -> AnyclrError | None:
    """Return the user-facing error for an OS error while writing ``what`` to ``path``, or None for other errors.

    The message names the file the OS names, unless ``exact`` (``path`` is the file, the OS's may be a temporary one).
    """
    target = path if exact or not exc.filename else exc.filename
    if exc.errno in NOT_ALLOWED and not exact and exc.filename and not _related(Path(exc.filename), Path(path)):
        return None  # not one of ours (a data file that cannot be read): leave the error as it is
    if exc.errno in NO_SPACE:
        return AnyclrError(
            f"No space left on the device while writing {what} ({target}).",
            "Free some disk space, or write elsewhere with --run-dir. Files written before (the last epoch's "
            "checkpoint, metrics) are intact, so `anyclr train --resume` continues once there is room.",
        )
    if exc.errno == errno.EROFS:
        return AnyclrError(f"Cannot write {what}: {target} is on a read-only file system.", "Choose a writable folder, e.g. --run-dir ~/runs/NAME.")
    if exc.errno in NOT_ALLOWED:
        return AnyclrError(
            f"Cannot write {what}: permission denied for {target}.",
            "Choose a folder you can write to (e.g. --run-dir ~/runs/NAME), or fix its permissions.",
        )
    return None


@contextmanager
def writing(path: str | Path, what: str = "run files", exact: bool = False) -> Iterator[None]:
    """Turn disk-full / read-only / permission errors raised inside the block into an :class:`AnyclrError`."""
    try:
        yield
    except OSError as exc:
        error = write_error(exc, path, what, exact)
        if error is None:
            raise
        raise error from exc


def _related(a: Path, b: Path) -> bool:
    """Return True if one path is inside the other (or they are the same)."""
    a, b = a.absolute(), b.absolute()
    return a == b or b in a.parents or a in b.parents
