"""A cache folder for data that plug-ins generate on the machine the first time it is asked for.

``cached_folder(name, build)`` returns ``$ANYCLR_CACHE/<name>`` (default ``~/.cache/anyclr/<name>``),
calling ``build(tmp)`` to fill a temporary sibling first and renaming it into place when ``build`` returns, so
an interrupted generation never leaves a half-written folder behind, and two processes generating the same
folder at once both end with one complete copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from anyclr.core.errors import AnyclrError

COMPLETE = ".complete"


def cache_root() -> Path:
    """Return the cache's root folder (``ANYCLR_CACHE``, else ``~/.cache/anyclr``)."""
    return Path(os.environ.get("ANYCLR_CACHE") or Path.home() / ".cache" / "anyclr").expanduser()


def cached_folder(name: str, build: Callable[[Path], None]) -> Path:
    """Return the cache folder ``name``, building it with ``build(folder)`` first if it is not there yet."""
    final = cache_root() / name
    if (final / COMPLETE).is_file():
        return final
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    except OSError as exc:
        raise AnyclrError(f"Cannot create the cache folder {final.parent}: {exc.strerror or exc}.", "Set ANYCLR_CACHE to a writable folder.") from None
    try:
        build(tmp)
        (tmp / COMPLETE).write_text("ok\n")
        try:
            os.replace(tmp, final)
        except OSError:  # another process finished first (or an old incomplete copy is in the way)
            if (final / COMPLETE).is_file():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                shutil.rmtree(final, ignore_errors=True)
                os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
