"""Run folders: which folder a run writes to, and a lock so that only one process writes it at a time.

A new run never silently lands in (or next to) a folder the user named: a non-empty ``--run-dir`` is
refused unless ``--overwrite`` (which removes only the previous run's own files) or ``--resume``. While a
run trains, ``RUN_DIR/.lock`` holds its process id and host, and a second writer is refused; a lock left
by a process that died on this host is taken over with a warning.
"""

from __future__ import annotations

import os
import socket
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from anyclr.core.errors import AnyclrError
from anyclr.core.writing import writing

try:
    import fcntl
except ImportError:  # Windows: the lock file alone (created exclusively) marks the folder as taken
    fcntl = None  # type: ignore[assignment]

CONFIG = "config.toml"
SUMMARY = "summary.json"
LOCK = ".lock"
# A run's own files, and inside its folders the names it writes (--overwrite removes these and nothing else).
RUN_FILES = (CONFIG, SUMMARY, "metrics.jsonl")
RUN_FOLDERS = {
    "checkpoints": ("last.safetensors", "last.state.pt", ".last.*.tmp"),
    "plots": ("loss.png", "embedding.png"),
    "tb": ("events.out.tfevents.*",),
}


class RunFolderBusy(AnyclrError):
    """Another process holds the run folder's lock."""


@dataclass
class RunLock:
    """An exclusive lock on a run folder; ``RUN_DIR/.lock`` names the holder (pid and host)."""

    folder: Path
    fd: int | None = None

    @property
    def path(self) -> Path:
        """The lock file."""
        return self.folder / LOCK

    def acquire(self) -> RunLock:
        """Take the lock or raise an :class:`AnyclrError` naming the process that holds it."""
        with writing(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)
            if fcntl is None:
                self._acquire_exclusive_file()
            else:
                self._acquire_flock()
        return self

    def _acquire_flock(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read(fd)
                os.close(fd)
                raise self._busy(holder) from None
            try:  # a holder releasing meanwhile removes the file: then this lock is on a file nobody else sees
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(fd).st_ino:
                break
            os.close(fd)
        previous = _read(fd)
        if previous and previous != _me():
            try:  # holding the flock proves its writer is gone (on this host); another host's cannot be checked
                self._take_over(previous)
            except AnyclrError:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, (_me() + "\n").encode(), 0)
        self.fd = fd

    def _acquire_exclusive_file(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._check_stale(self.path.read_text(encoding="utf-8", errors="replace").strip())
                self.path.unlink(missing_ok=True)
                continue
            os.write(fd, (_me() + "\n").encode())
            self.fd = fd
            return
        raise self._busy(self.path.read_text(encoding="utf-8", errors="replace").strip())

    def _check_stale(self, holder: str) -> None:
        """Warn and return if the lock file names a process that is gone on this host; raise otherwise."""
        pid, host = _parse(holder)
        if pid is None or host != socket.gethostname() or _alive(pid):
            raise self._busy(holder, stale_hint=True)
        warnings.warn(f"Taking over the lock of {self.folder}: process {pid} on {host}, which left it, is no longer running.", stacklevel=3)

    def _take_over(self, holder: str) -> None:
        """Warn and return for a lock left on this host (its pid may be reused by now); raise for another host's."""
        pid, host = _parse(holder)
        if pid is None or host != socket.gethostname():
            raise self._busy(holder, stale_hint=True)
        warnings.warn(f"Taking over the lock of {self.folder}: process {pid} on {host}, which left it, is no longer running.", stacklevel=3)

    def _busy(self, holder: str, stale_hint: bool = False) -> RunFolderBusy:
        pid, host = _parse(holder)
        who = f"process {pid} on {host}" if pid is not None else "another process"
        hint = "Wait for that run to finish (or stop it), or train into another folder with --run-dir."
        if stale_hint:
            hint += f" If no run is using the folder any more, delete {self.path}."
        return RunFolderBusy(f"Run folder {self.folder} is in use by another anyclr run ({who}); one process writes a run at a time.", hint)

    def release(self) -> None:
        """Remove the lock file and release the lock (idempotent)."""
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # a folder that became read-only: the lock itself goes away with the descriptor
        os.close(self.fd)
        self.fd = None


@dataclass
class RunFolder:
    """The folder a run writes to, locked by this process (on the main rank) until :meth:`release`."""

    path: Path
    lock: RunLock | None = None

    def release(self) -> None:
        """Release the folder's lock."""
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim(recipe: str, run_dir: str | Path | None = None, *, overwrite: bool = False, resume: str | Path | None = None) -> RunFolder:
    """Choose and lock the run's folder: ``resume``, ``run_dir`` (empty unless ``overwrite``) or a new ``runs/<recipe>-<time>``.

    Under torchrun only rank 0 locks and checks; every rank gets the same path (or the same error).
    """
    from anyclr.core.distributed import is_distributed, is_main

    if not is_distributed():
        return _claim(recipe, run_dir, overwrite, resume)
    import torch.distributed as dist

    folder, failure = None, None
    if is_main():
        try:
            folder = _claim(recipe, run_dir, overwrite, resume)
        except AnyclrError as exc:
            failure = (exc.message, exc.hint)
    box = [(str(folder.path) if folder else None, failure)]
    dist.broadcast_object_list(box, src=0)
    path, failure = box[0]
    if failure is not None:
        raise AnyclrError(*failure)
    return folder if folder is not None else RunFolder(Path(path))


def _claim(recipe: str, run_dir: str | Path | None, overwrite: bool, resume: str | Path | None) -> RunFolder:
    if resume is not None:
        return RunFolder(Path(resume), RunLock(Path(resume)).acquire())
    if run_dir is None:
        return _claim_default(recipe)
    path = Path(run_dir)
    check_new_run_dir(path, overwrite)
    lock = RunLock(path).acquire()
    try:
        check_new_run_dir(path, overwrite)  # again under the lock: another run may have started there meanwhile
        if overwrite:
            with writing(path):
                clear_run(path)
    except BaseException:
        lock.release()
        raise
    return RunFolder(path, lock)


def _claim_default(recipe: str) -> RunFolder:
    """Lock a new ``runs/<recipe>-<time>``; a same-second clash (another run started then) gets a ``-N`` suffix."""
    base = Path("runs") / f"{Path(recipe).stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    for n in range(1, 1000):
        candidate = base if n == 1 else base.with_name(f"{base.name}-{n}")
        if candidate.exists() and (not candidate.is_dir() or _holds_files(candidate)):
            continue
        try:
            lock = RunLock(candidate).acquire()
        except RunFolderBusy:
            continue
        if _holds_files(candidate):
            lock.release()
            continue
        return RunFolder(candidate, lock)
    raise AnyclrError(f"Could not find a free run folder next to {base}.", "Pass one with --run-dir.")


def check_new_run_dir(path: Path, overwrite: bool = False) -> None:
    """Raise unless ``path`` can hold a new run: missing or empty, or an anyclr run and ``overwrite``."""
    if path.exists() and not path.is_dir():
        raise AnyclrError(f"Run folder {path} is a file.", "Pass a folder (new or empty) to --run-dir.")
    if not path.exists() or not _holds_files(path):
        return
    if not looks_like_run(path):
        raise AnyclrError(
            f"Run folder {path} already holds files and is not an anyclr run (it has no {CONFIG}); "
            + ("--overwrite only replaces anyclr runs." if overwrite else "a new run needs a new or empty folder."),
            "Choose a new or empty folder with --run-dir (or leave it out: runs/<recipe>-<time>).",
        )
    if not overwrite:
        resume = f"continue it with --resume {path}, " if (path / "checkpoints" / "last.state.pt").is_file() else ""
        raise AnyclrError(
            f"Run folder {path} already holds a run.",
            f"To keep it, choose another --run-dir; {resume}or replace it with --overwrite "
            "(removes that run's checkpoints, metrics, plots and summary; other files stay).",
        )


def check_resume_arguments(resume: Path, run_recipe: str, recipe: str | None, run_dir: str | Path | None, overwrite: bool) -> None:
    """Raise if ``--resume`` comes with a recipe, ``--run-dir`` or ``--overwrite`` it would silently ignore."""
    if recipe is not None and recipe not in (run_recipe, f"{run_recipe}.toml") and Path(recipe).stem != run_recipe:
        raise AnyclrError(
            f"--resume {resume} continues that run's own recipe ({run_recipe}); the recipe {recipe!r} would be ignored.",
            "Leave out the recipe name to resume, or start a new run without --resume.",
        )
    if run_dir is not None and Path(run_dir).resolve() != Path(resume).resolve():
        raise AnyclrError(
            f"--resume {resume} writes to that folder; --run-dir {run_dir} would be ignored.",
            "Leave out --run-dir to resume, or start a new run without --resume.",
        )
    if overwrite:
        raise AnyclrError("--overwrite and --resume contradict each other.", "--resume continues a run; --overwrite replaces one.")


def looks_like_run(path: Path) -> bool:
    """Return True if ``path`` holds an anyclr run (its config.toml)."""
    return (path / CONFIG).is_file()


def clear_run(path: Path) -> list[Path]:
    """Remove a run's own files from ``path`` (see :data:`RUN_FILES`), keep anything else; return what was removed."""
    removed = []
    for name in RUN_FILES:
        if (path / name).is_file():
            (path / name).unlink()
            removed.append(path / name)
    for folder, patterns in RUN_FOLDERS.items():
        sub = path / folder
        if not sub.is_dir():
            continue
        for pattern in patterns:
            for item in sub.glob(pattern):
                if item.is_file():
                    item.unlink()
                    removed.append(item)
        if not any(sub.iterdir()):
            sub.rmdir()
    return removed


def _holds_files(path: Path) -> bool:
    return any(p.name != LOCK for p in path.iterdir())


def _me() -> str:
    return f"{os.getpid()} {socket.gethostname()}"


def _read(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", errors="replace").strip()


def _parse(holder: str) -> tuple[int | None, str]:
    pid, _, host = holder.partition(" ")
    return (int(pid), host.strip()) if pid.isdigit() else (None, "")


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill would end the process; treat the lock as live (the error says how to clear it)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
