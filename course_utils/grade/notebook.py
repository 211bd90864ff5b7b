"""A submitted file as a notebook: read it, say which pieces it exercises, and choose the cells to run.

The grader runs a learner's code cells in order up to and including the last check cell (tagged
``check``, or calling ``check_net``, ``check_train`` or ``check_test``), and leaves out the cells tagged
``try-it`` and ``progress``: see :mod:`course_utils.grade` for why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import nbformat

from .layout import Submission
from .statuses import BROKEN_JSON, NOT_A_NOTEBOOK

__all__ = ["CHECK_CALL", "PIECES", "SKIPPED_TAGS", "Plan", "Unreadable", "load", "plan"]

#: a call of one of the checks, e.g. ``checks.check_train(train, level=3)``
CHECK_CALL = re.compile(r"\bcheck_(net|train|test)\s*\(")
#: the cells the grader does not run: training on the sample, and the learner's own progress table
SKIPPED_TAGS = frozenset({"try-it", "progress"})
#: the pieces, in the course's order
PIECES = ("net", "train", "test")


class Unreadable(ValueError):
    """A file that cannot be run as a notebook: ``status`` says which kind, the message says why."""

    def __init__(self, status: str, why: str) -> None:
        super().__init__(why)
        self.status = status


@dataclass(frozen=True)
class Plan:
    """What to run: the pieces the notebook exercises (in the course's order), its level, the cells (indices)."""

    pieces: tuple[str, ...]
    level: str
    cells: tuple[int, ...]


def load(submission: Submission) -> nbformat.NotebookNode:
    """The submission as a notebook (read only: the file is never written); :class:`Unreadable` otherwise."""
    if submission.path.suffix != ".ipynb":
        raise Unreadable(NOT_A_NOTEBOOK, f"{submission.path.name} is not a notebook (.ipynb)")
    raw = submission.path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable(BROKEN_JSON, f"{submission.path.name} is not text (UTF-8 JSON)") from None
    except json.JSONDecodeError as exc:
        raise Unreadable(BROKEN_JSON, f"{submission.path.name} is not valid JSON ({exc.msg}: line {exc.lineno}, "
                         f"column {exc.colno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or "nbformat" not in data:
        raise Unreadable(NOT_A_NOTEBOOK, f"{submission.path.name} is JSON but not a notebook (no cells)")
    try:
        return nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat's conversions raise many kinds for a malformed notebook
        raise Unreadable(NOT_A_NOTEBOOK, f"{submission.path.name} is not a notebook nbformat can read "
                         f"({type(exc).__name__}: {exc})") from None


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return {t for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()


def _is_check(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and ("check" in _tags(cell) or bool(CHECK_CALL.search(cell.source)))


def plan(nb: nbformat.NotebookNode) -> Plan:
    """The pieces (the exercise's metadata, else the check calls), the level, and the cells to run."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not _tags(c) & SKIPPED_TAGS]
    checks = [i for i in code if _is_check(nb.cells[i])]
    cells = tuple(i for i in code if checks and i <= checks[-1])
    info = nb.metadata.get("course_exercise", {})
    piece = info.get("piece") if isinstance(info, dict) else None
    if piece == "all":
        return Plan(PIECES, "all", cells)
    if piece in PIECES:
        return Plan((piece,), str(info.get("level", "")), cells)
    called = {m for i in checks for m in CHECK_CALL.findall(nb.cells[i].source)}
    return Plan(tuple(p for p in PIECES if p in called), "", cells)
