"""Generate the nbgrader course folder ``nbgrader/`` from the exercises: ``make assignments``.

``python -m tools assignments`` (:func:`main`) writes ``nbgrader/source/<assignment>/<assignment>.ipynb``
for each assignment of :data:`ASSIGNMENTS`: one per piece (``net``, ``train``, ``test``) at the exercises'
from-blank level, and ``all_from_blank`` with the three pieces, :data:`POINTS` points per piece. They come
from the exercises' one source (:mod:`tools.exercises`): the cells tagged ``exercise:<piece>`` in the
teaching notebooks give the reference solutions, and the exercises' words give the specifications. In
each notebook:

- the learner's cell is an nbgrader *autograded answer* cell: a placeholder line (``Net = None``, which
  the check reads as "not attempted"), then the reference solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``, which ``nbgrader generate_assignment`` replaces by its stub;
- each check is an *autograder test* cell worth :data:`POINTS`: it prints the check's result (its
  diagnosis, which nbgrader's feedback shows), then asserts that it passed;
- the set-up is a read-only cell; each specification is the exercises' own, the instructions say how
  nbgrader grades (:mod:`.text`).

The notebooks have no "try it for real" or progress cells: the grader would train on real data in
every submission, and the progress table is the learner's own. ``nbgrader/nbgrader_config.py`` (committed,
not generated) makes ``generate_assignment``, ``autograde`` and ``generate_feedback`` work as they are.
The output is deterministic and committed; ``--check`` compares without writing (and a test does).

Modules: :mod:`.plan` (which assignments), :mod:`.cells` (nbgrader's cell metadata),
:mod:`.text` (the words), :mod:`.build` (the notebooks; the code cells are the sections of
``template_cells.py``, a linted template never imported), :mod:`.cli` (writing them, the command line).
"""

from __future__ import annotations

from tools.assignments.build import build, build_one, check_cell, solution_cell
from tools.assignments.cli import COURSE, main, stale, write
from tools.assignments.plan import ASSIGNMENTS, POINTS, Assignment

__all__ = [
    "ASSIGNMENTS",
    "COURSE",
    "POINTS",
    "Assignment",
    "build",
    "build_one",
    "check_cell",
    "main",
    "solution_cell",
    "stale",
    "write",
]
