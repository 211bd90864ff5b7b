"""Where the submissions are: one folder per learner, plain or as nbgrader's exchange keeps them.

Accepted layouts, under the folder given to ``python -m course_utils.grade``:

- ``<student>/<notebook>.ipynb`` (a folder per learner; sub-folders are fine);
- nbgrader's ``submitted/<student>/<assignment>/<notebook>.ipynb`` (the folder given holds ``submitted/``);
- ``<student>.ipynb`` directly in the folder (the file's name is the learner's).

Every file counts, notebook or not (a learner who hands in ``train.py`` gets a row that says so),
except hidden files and folders (``.ipynb_checkpoints``) and nbgrader's ``timestamp.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["IGNORED", "Submission", "find", "root_of"]

#: file names that are no submission: nbgrader's record of when one came in
IGNORED = frozenset({"timestamp.txt"})


@dataclass(frozen=True)
class Submission:
    """One handed-in file: the learner, the file, and its name below the learner's folder (``hw1/train.ipynb``)."""

    student: str
    path: Path
    name: str


def root_of(folder: Path) -> Path:
    """The folder whose sub-folders are the learners: ``folder/submitted`` for nbgrader's exchange, else ``folder``."""
    submitted = folder / "submitted"
    return submitted if submitted.is_dir() else folder


def find(folder: Path) -> list[Submission]:
    """Every submission under ``folder``, sorted by learner, then name."""
    root = root_of(Path(folder))
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") for p in parts) or path.name in IGNORED or path.is_symlink() or not path.is_file():
            continue
        if len(parts) == 1:
            found.append(Submission(path.stem, path, path.name))
        else:
            found.append(Submission(parts[0], path, "/".join(parts[1:])))
    return sorted(found, key=lambda s: (s.student, s.name))
