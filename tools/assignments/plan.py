"""Which assignments the course folder holds: the from-blank exercises, graded by their checks.

Each assignment is one notebook. The exercises' from-blank level is the one that fits homework: the
learner writes the whole piece from its specification, and the check judges what the code does, not
how it is written. The fill-in and rebuild levels stay self-study (``notebooks/exercises/``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.exercises import PIECES

__all__ = ["ASSIGNMENTS", "POINTS", "Assignment"]

#: the points of one check (one piece): all or nothing, as the check says correct or not
POINTS = 10


@dataclass(frozen=True)
class Assignment:
    """One nbgrader assignment: its id (the folder and the notebook's name) and the pieces it grades.

    ``level`` is what each check records in the learner's progress file while they work on it:
    ``3`` (from blank) for one piece, ``"all"`` for the three together, as in the exercises.
    """

    name: str
    pieces: tuple[str, ...]
    level: int | str

    @property
    def notebook(self) -> str:
        """The notebook's file name inside ``source/<name>/``."""
        return f"{self.name}.ipynb"

    @property
    def points(self) -> int:
        """The assignment's total: :data:`POINTS` per piece."""
        return POINTS * len(self.pieces)


#: one per piece from a blank page, then all three from a blank page
ASSIGNMENTS: tuple[Assignment, ...] = (
    *(Assignment(f"{p.name}_from_blank", (p.name,), 3) for p in PIECES),
    Assignment("all_from_blank", tuple(p.name for p in PIECES), "all"),
)
