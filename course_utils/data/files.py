"""The data files on disk: what they hold, how they are checked, and how they are unpacked.

:class:`DataInfo` says which files are in use, :class:`DataError` says what is wrong with them
and how to fix it. Taught in ``00_start_here`` (where the data comes from).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["FULL_TEST", "FULL_TRAIN", "DataError", "DataInfo", "display_path"]

#: Images in the full set's training and test splits.
FULL_TRAIN, FULL_TEST = 60_000, 10_000

_IMAGE_HEADER, _LABEL_HEADER, _PIXELS = 16, 8, 28 * 28


class DataError(RuntimeError):
    """The data is missing, truncated or corrupt. The message names the file and the fix."""


@dataclass(frozen=True)
class DataInfo:
    """Which data is in use: ``source`` is local, system, torchvision or sample.

    ``root`` is the folder to pass to ``torchvision.datasets.FashionMNIST(root, ...)``.
    """

    source: str
    root: Path
    train: int
    test: int

    @property
    def is_full(self) -> bool:
        """True for the whole Fashion-MNIST (60,000 + 10,000 images), False for the sample.

        Notebooks check the numbers they state about the full set only when this is True: full
        mode falls back to the sample when the full set is not on disk (see ``prepare``).
        """
        return (self.train, self.test) == (FULL_TRAIN, FULL_TEST)

    def __str__(self) -> str:
        return f"source={self.source} root={display_path(self.root)} train={self.train} test={self.test}"


def display_path(path: Path) -> str:
    """Return ``path`` as a reader would like to see it printed.

    Relative to the working directory when it is there or one folder up (``../data`` from
    ``notebooks/``), with ``~`` for the home folder otherwise, so that stored notebook outputs
    do not show the absolute paths of the machine that ran them.
    """
    path = Path(path)
    try:
        rel = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return str(path)
    ups = len(rel.parts) - len(tuple(part for part in rel.parts if part != ".."))
    if ups <= 1:
        return str(rel)
    home = Path.home()
    if path.is_relative_to(home) and home != Path("/"):
        return str(Path("~") / path.relative_to(home))
    return str(path)


# --------------------------------------------------------------------------- integrity


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    return _sha256(Path(path))


def _file_hash(path: Path) -> str:
    stat = path.stat()
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


def _count(path: Path) -> int:
    """Number of records in an IDX file, from its size (images: 784 bytes, labels: 1)."""
    if "images" in path.name:
        return (path.stat().st_size - _IMAGE_HEADER) // _PIXELS
    return path.stat().st_size - _LABEL_HEADER


def _verify(path: Path, expected: str, how_to_fix: str) -> None:
    if not path.is_file():
        raise DataError(f"missing data file {path}. {how_to_fix}")
    actual = _file_hash(path)
    if actual != expected:
        raise DataError(
            f"data file {path} is truncated or corrupt: its SHA-256 is {actual[:16]}..., "
            f"expected {expected[:16]}... ({path.stat().st_size:,} bytes). The course will not "
            f"train on it. {how_to_fix}"
        )


def _fix_local(path: Path) -> str:
    return (
        f"Fix: move the file aside yourself (nothing is deleted for you), e.g. "
        f"`mv {shlex.quote(str(path))} {shlex.quote(str(path) + '.bad')}`, then run `make data` "
        f"(or `python -m course_utils.data --download`) to restore it from the system package or "
        f"torchvision's download."
    )


def _cannot_write(folder: Path, exc: OSError) -> str:
    return (
        f"cannot write the data into {folder}: {exc.strerror or exc}. Fix: point the course at a folder "
        f"you can write to (`export COURSE_DATA=~/lenet-data`, or `COURSE_DATA=... make lab`), free some "
        f"disk space, or, on a shared machine, ask whoever runs it to prepare the data once for everyone "
        f"(`python -m course_utils.data` in the course's folder)."
    )


def _decompress(src: Path, dst: Path, expected: str) -> None:
    """Decompress ``src`` (.gz) to ``dst`` through a temporary file, checking the hash.

    A source that cannot be read is a corrupt archive; a destination that cannot be written (no
    permission, a full disk) is said as such, with its own fix.
    """
    part = dst.with_name(dst.name + ".part")
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        fout = open(part, "wb")
    except OSError as exc:
        raise DataError(_cannot_write(dst.parent, exc)) from exc
    with fout:
        try:
            with gzip.open(src, "rb") as fin:
                for block in iter(lambda: fin.read(1 << 20), b""):
                    try:
                        fout.write(block)
                    except OSError as exc:  # DataError is not an OSError: it passes the handler below
                        part.unlink(missing_ok=True)
                        raise DataError(_cannot_write(dst.parent, exc)) from exc
        except (OSError, EOFError) as exc:
            part.unlink(missing_ok=True)
            raise DataError(
                f"cannot decompress {src}: {exc}. The archive is truncated or corrupt. Fix: reinstall "
                f"it (e.g. `sudo apt-get install --reinstall dataset-fashion-mnist`)."
            ) from exc
    actual = _sha256(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise DataError(
            f"{src} decompresses to data with SHA-256 {actual[:16]}..., expected "
            f"{expected[:16]}...: the archive is corrupt. Fix: reinstall it (e.g. "
            f"`sudo apt-get install --reinstall dataset-fashion-mnist`)."
        )
    part.replace(dst)
