"""The guard a learner's kernel runs before their cells: writes outside the submission's folder are refused.

:func:`install` adds an audit hook (:func:`sys.addaudithook`, PEP 578) to the kernel. It watches the
events that change files (``open`` for writing, ``os.remove``, ``os.rename``, ``os.mkdir`` ...) and
those that start a process (a shell command could write anywhere, unseen): a path outside the allowed
folders, or any process, raises :class:`PermissionError` in the learner's code, naming the path, and
is noted in the log, one JSON line each, that :func:`refusals` reads back for the grade's row.

This guards against accidents (a path copied from the learner's own machine, a clean-up that deletes
too much), not against a learner set on cheating: code that sets out to defeat it (``ctypes``, or
recording a verdict itself) can. It runs in the kernel, so it imports nothing heavy.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["PROCESS_EVENTS", "WRITE_EVENTS", "install", "is_inside", "refusals", "written_paths"]

#: event -> (index of a path it changes, index of the folder descriptor that path is relative to, or None)
WRITE_EVENTS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "os.remove": ((0, 1),),
    "os.rmdir": ((0, 1),),
    "os.mkdir": ((0, 2),),
    "os.rename": ((0, 2), (1, 3)),  # os.replace too
    "os.link": ((1, 3),),
    "os.symlink": ((1, 2),),
    "os.truncate": ((0, None),),
    "os.chmod": ((0, 2),),
    "os.chown": ((0, 3),),
    "os.utime": ((0, 3),),
    "os.setxattr": ((0, None),),
    "os.removexattr": ((0, None),),
    "shutil.rmtree": ((0, 1),),
}
#: events that start a process: its writes would be out of the hook's sight
PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _folder_of(dir_fd: Any) -> str | None:
    """The folder an open descriptor names (Linux's /proc), or None."""
    if not isinstance(dir_fd, int):
        return None
    try:
        return os.readlink(f"/proc/self/fd/{dir_fd}")
    except OSError:
        return None


def _resolved(path: Any, dir_fd: Any = None) -> str | None:
    """``path`` (relative to ``dir_fd``, else to the working folder) as a real path; None for a file descriptor."""
    if isinstance(path, int) or path is None:
        return None
    text = os.fsdecode(path)
    if not os.path.isabs(text):
        text = os.path.join(_folder_of(dir_fd) or os.getcwd(), text)
    return os.path.realpath(text)


def written_paths(event: str, args: tuple[Any, ...]) -> list[str]:
    """The real paths that ``event`` (an audit event) changes: [] when it changes none."""
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        found = _resolved(path) if writing else None
        return [found] if found else []
    found = []
    for at, fd_at in WRITE_EVENTS.get(event, ()):
        if at < len(args):
            path = _resolved(args[at], args[fd_at] if fd_at is not None and fd_at < len(args) else None)
            if path:
                found.append(path)
    return found


def is_inside(path: str, folders: Sequence[str]) -> bool:
    """True when the real ``path`` is one of ``folders`` or inside one, or is the null device."""
    return path == os.devnull or any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _command(args: tuple[Any, ...]) -> str:
    """The command a process event starts, in words: its argument list joined, else its first text argument."""
    words = next((a for a in args if isinstance(a, (list, tuple))), None)
    if words is None:
        words = [next((a for a in args if isinstance(a, (str, bytes, os.PathLike))), "")]
    return " ".join(os.fsdecode(w) for w in words if isinstance(w, (str, bytes, os.PathLike)))


def _note(log: str, what: str, target: str) -> None:
    with open(log, "a", encoding="utf-8") as out:  # the log is inside an allowed folder
        out.write(json.dumps({"what": what, "target": target}) + "\n")


def _hook(folders: Sequence[str], log: str) -> Callable[[str, tuple[Any, ...]], None]:
    """The audit hook: refuse (and note) a change outside ``folders``, and any new process."""
    watched = frozenset(WRITE_EVENTS) | frozenset(PROCESS_EVENTS) | {"open"}

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in watched:  # every audit event comes here: leave the rest at once
            return
        if event in PROCESS_EVENTS:
            command = _command(args)
            _note(log, "process", command)
            raise PermissionError(f"the grader refused to start a process ({command}): a grading kernel runs "
                                  "Python only, as the exercise needs")
        for path in written_paths(event, args):
            if not is_inside(path, folders):
                _note(log, "write", path)
                raise PermissionError(f"the grader refused to change {path}: a submission may write only inside "
                                      "its own folder")

    return hook


def install(folders: Iterable[str | Path], log: str | Path) -> None:
    """Refuse, from now on in this interpreter, every change of a file outside ``folders`` and every new process.

    ``log`` (inside one of ``folders``) gets one JSON line per refusal. An audit hook cannot be removed: call
    this only in a kernel that runs one submission.
    """
    allowed = [os.path.realpath(f) for f in folders]
    sys.addaudithook(_hook(allowed, os.path.realpath(log)))


def refusals(log: Path) -> list[str]:
    """What the kernel tried and was refused, in words, in order, each once ([] when nothing was)."""
    if not log.is_file():
        return []
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            what, target = entry["what"], entry["target"]
        except (ValueError, KeyError, TypeError):
            continue
        found.append(f"tried to write outside its folder: {target}" if what == "write"
                     else f"tried to start a process: {target}")
    return list(dict.fromkeys(found))
