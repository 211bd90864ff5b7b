"""Writing the course folder's ``source/``; ``python -m tools assignments [--check] [--notebooks DIR] [--out DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from tools.assignments.build import build
from tools.exercises import ExerciseError
from tools.exercises import stale as stale_notebooks
from tools.exercises import write as write_notebooks
from tools.exercises.cli import check_or_write, generator_parser
from tools.notebooks import ROOT

__all__ = ["COURSE", "main", "stale", "write"]

#: the nbgrader course folder (its nbgrader_config.py is committed; source/ is generated)
COURSE = ROOT / "nbgrader"

Assignments = dict[str, dict[str, nbformat.NotebookNode]]


def write(assignments: Assignments, course: Path = COURSE) -> list[Path]:
    """Write ``course/source/<assignment>/<notebook>``; returns the paths whose content changed.

    An assignment folder that is no longer produced loses the notebooks this generator wrote (those
    carrying its metadata) and is removed once empty; anything else in it is left alone.
    """
    source = Path(course) / "source"
    changed = []
    for name, books in assignments.items():
        changed += write_notebooks(books, source / name)
    for folder in sorted(p for p in source.iterdir() if p.is_dir() and p.name not in assignments):
        changed += write_notebooks({}, folder)
        if not any(folder.iterdir()):
            folder.rmdir()
    return changed


def stale(assignments: Assignments, course: Path = COURSE) -> list[str]:
    """The ``<assignment>/<notebook>`` paths in ``course/source/`` that differ from ``assignments`` or are missing."""
    source = Path(course) / "source"
    return [f"{name}/{book}" for name, books in assignments.items() for book in stale_notebooks(books, source / name)]


def main(argv: list[str] | None = None) -> int:
    """``python -m tools assignments [--check] [--notebooks DIR] [--out DIR]``; returns the exit status."""
    parser = generator_parser("python -m tools assignments",
                              "Generate the nbgrader course folder's source/ from the exercises.",
                              COURSE, "the nbgrader course folder (default: nbgrader/)")
    args = parser.parse_args(argv)
    try:
        assignments = build(Path(args.notebooks))
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    course = Path(args.out)
    count = sum(len(books) for books in assignments.values())
    return check_or_write(args.check, f"{count} assignment notebooks", f"{args.out}/source", "assignments",
                          lambda: stale(assignments, course), lambda: write(assignments, course))
