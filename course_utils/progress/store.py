"""The progress file: where it lives, appending one line under a lock, reading it back safely.

The file is ``progress.jsonl`` in the user's data folder (``$XDG_DATA_HOME/course_utils`` or
``~/.local/share/course_utils`` on Linux, ``~/Library/Application Support/course_utils`` on macOS,
``%LOCALAPPDATA%\\course_utils`` on Windows), so each user of a shared machine (a JupyterHub user
each) has their own. ``COURSE_PROGRESS`` overrides the path; ``COURSE_PROGRESS=off`` records nothing.

Two kernels may check at once: every write and every repair holds an exclusive lock on the file
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows). A line that is not a progress record (a
broken write, another program's file) is reported, the file as it was is copied to a backup next to
it, and the good lines stay: progress is never lost, and a check never fails because of the file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from course_utils.config import PROGRESS_ENV, progress_setting

from .attempt import Attempt, ForeignLine, level_name

__all__ = ["ENV", "FILE_NAME", "Progress", "ProgressWarning", "data_home", "locked", "progress_path", "read",
           "record"]

ENV = PROGRESS_ENV
FILE_NAME = "progress.jsonl"
APP = "course_utils"


class ProgressWarning(UserWarning):
    """The progress file could not be written, or was set aside: the check itself is unaffected."""


def data_home() -> Path:
    """The user's data folder for the course, by the platform's convention (XDG on Linux)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else home / ".local" / "share"  # the spec ignores a relative one
    return base / APP


def progress_path() -> Path | None:
    """The progress file: ``$COURSE_PROGRESS``, else ``progress.jsonl`` in :func:`data_home`; None for ``off``."""
    value = progress_setting()
    if value.lower() == "off":
        return None
    return Path(value).expanduser() if value else data_home() / FILE_NAME


@contextlib.contextmanager
def locked(handle: BinaryIO) -> Iterator[None]:
    """Hold an exclusive lock on the open file ``handle`` (blocking until other holders let go)."""
    fd = handle.fileno()
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)  # lock byte 0: the same byte for every writer (appends go to the end anyway)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def _open_locked(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading and appending, locked, and still the file at ``path`` once locked.

    A writer that waited while another set the file aside would otherwise hold the backup.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        with open(path, "ab+") as handle, locked(handle):
            try:
                same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
            except FileNotFoundError:
                same = False
            if same:
                yield handle
                return


def _backup(path: Path, content: bytes) -> Path:
    """Write ``content`` (the file as it was) next to ``path`` under a new name; return that name."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    for n in range(1000):
        candidate = path.with_name(f"{path.name}.broken-{stamp}" + (f"-{n}" if n else ""))
        try:
            with open(candidate, "xb") as out:
                out.write(content)
            return candidate
        except FileExistsError:
            continue
    raise OSError(f"no free backup name next to {path}")


@dataclass
class Progress:
    """What the progress file holds: the attempts, in the file's order, and what was wrong with it (in words)."""

    attempts: list[Attempt] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


def _parse(lines: list[str]) -> tuple[list[Attempt], list[str], list[tuple[int, str]]]:
    """(the attempts, their lines, the (line number, why) of each line that is not a record)."""
    attempts, kept, bad = [], [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            attempts.append(Attempt.from_line(line))
            kept.append(line)
        except ForeignLine as exc:
            bad.append((number, str(exc)))
    return attempts, kept, bad


def _repair(path: Path, handle: BinaryIO, content: bytes, kept: list[str], bad: list[tuple[int, str]]) -> str:
    """Back up the file as it was, keep only its good lines; return the report (the lock is held)."""
    backup = _backup(path, content)
    handle.seek(0)
    handle.truncate()
    handle.write("".join(f"{line}\n" for line in kept).encode())
    handle.flush()
    number, why = bad[0]
    return (
        f"{path}: {len(bad)} line{'s' if len(bad) != 1 else ''} of {len(bad) + len(kept)} "
        f"{'are' if len(bad) != 1 else 'is'} not a progress record (line {number}: {why}). The file as it "
        f"was is kept in {backup}; the {len(kept)} good line{'s' if len(kept) != 1 else ''} stay in {path}. "
        f"To use another file, set {ENV} to its path."
    )


def read(path: Path | None = None) -> Progress:
    """The attempts in the progress file (``path``, else :func:`progress_path`); a broken file is repaired.

    Never raises for the file: what went wrong is in ``problems``, in words.
    """
    target = progress_path() if path is None else path
    if target is None:
        return Progress([], [f"{ENV}=off: progress is not recorded."], None)
    if not target.exists():
        return Progress([], [], target)
    try:
        with _open_locked(target) as handle:
            handle.seek(0)
            content = handle.read()
            attempts, kept, bad = _parse(content.decode("utf-8", errors="replace").splitlines())
            problems = [_repair(target, handle, content, kept, bad)] if bad else []
    except OSError as exc:
        return Progress([], [f"{target} could not be read ({exc}): set {ENV} to a file you can read and write."],
                        target)
    return Progress(attempts, problems, target)


def _first_line_foreign(handle: BinaryIO) -> bool:
    """True when the file's first line is not a progress record (the path names another program's file)."""
    handle.seek(0)
    first = handle.readline().decode("utf-8", errors="replace")
    try:
        Attempt.from_line(first)
    except ForeignLine:
        return bool(first.strip()) or bool(handle.read(1))
    return False


def record(exercise: str, level: int | str, status: str, keys: Iterable[str] = (), *,
           path: Path | None = None, now: datetime | None = None) -> bool:
    """Append one attempt to the progress file; True when written.

    Called by every check in :mod:`course_utils.checks`. The file's problems never raise: a file that
    cannot be written gives a :class:`ProgressWarning`, and a file that is not a progress file is set
    aside (a backup next to it) before the line is written. ``level`` that is not a level is a
    ValueError (a mistake in the calling notebook, not in the file).
    """
    attempt = Attempt(now or datetime.now(timezone.utc), exercise, level_name(level), status, tuple(keys))
    target = progress_path() if path is None else path
    if target is None:
        return False
    try:
        with _open_locked(target) as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            if size and _first_line_foreign(handle):
                handle.seek(0)
                content = handle.read()
                lines = content.decode("utf-8", errors="replace").splitlines()
                _, kept, bad = _parse(lines)
                warnings.warn(_repair(target, handle, content, kept, bad), ProgressWarning, stacklevel=2)
            else:
                handle.seek(size - 1 if size else 0)
                if size and handle.read(1) != b"\n":  # a write cut short: start a fresh line
                    handle.write(b"\n")
            handle.write((attempt.to_line() + "\n").encode())
            handle.flush()
    except OSError as exc:
        warnings.warn(f"progress not recorded in {target} ({exc}): set {ENV} to a file you can write, or to off.",
                      ProgressWarning, stacklevel=2)
        return False
    return True
