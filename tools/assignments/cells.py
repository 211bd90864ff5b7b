"""nbgrader's cell types as notebook cells: an answer cell, a graded test cell, a read-only cell.

nbgrader reads its cell metadata (schema version 3, ``nbgrader/nbgraderformat/v3.py``): an *autograded
answer* is ``solution`` and not ``grade``; an *autograder test* is ``grade`` with ``points`` and locked;
a *read-only* cell is locked, so that ``nbgrader autograde`` puts back the instructor's version of it.
Every such cell needs a ``grade_id`` unique in its notebook. The cell ids are fixed, so the output of
``make assignments`` is deterministic.
"""

from __future__ import annotations

import nbformat

__all__ = ["answer", "graded_test", "markdown", "read_only"]

SCHEMA_VERSION = 3


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
              points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _code(source: str, cell_id: str, metadata: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source.strip("\n"), metadata=metadata)
    cell["id"] = cell_id
    return cell


def markdown(text: str, cell_id: str) -> nbformat.NotebookNode:
    """A plain markdown cell (no nbgrader metadata: the learner may edit it, nothing is graded)."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    cell["id"] = cell_id
    return cell


def read_only(source: str, cell_id: str) -> nbformat.NotebookNode:
    """A locked code cell (the set-up): autograde runs the instructor's version, whatever the learner did."""
    return _code(source, cell_id, _nbgrader(cell_id, locked=True))


def answer(source: str, cell_id: str) -> nbformat.NotebookNode:
    """An autograded answer: ``generate_assignment`` puts its stub in place of each solution region."""
    return _code(source, cell_id, _nbgrader(cell_id, solution=True))


def graded_test(source: str, cell_id: str, points: int) -> nbformat.NotebookNode:
    """An autograder test worth ``points``: full marks when it runs without an error, none otherwise."""
    return _code(source, cell_id, _nbgrader(cell_id, grade=True, locked=True, points=points))
