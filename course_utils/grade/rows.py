"""A submission's rows of ``grades.csv``: one per piece it exercises, with the status, score, keys and what happened.

A piece's status is the verdict of its last check in the notebook. Without one, it is why there is
none: the run timed out, the kernel died, a cell raised, or no check of that piece ran. A submission
that tried to write outside its folder is not graded: every row says :data:`~.statuses.REFUSED`
(score 0), whatever the checks said, and names what it tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .kernel import Ran
from .layout import Submission
from .notebook import PIECES, Plan
from .statuses import NO_CHECK, REFUSED, score

__all__ = ["COLUMNS", "Row", "rows", "unreadable_row"]

#: the columns of grades.csv, in order
COLUMNS = ("student", "exercise", "level", "status", "score", "keys", "notebook", "problem")


@dataclass(frozen=True)
class Row:
    """One line of grades.csv: a learner's piece (``exercise``) in one notebook, and what the grader found."""

    student: str
    exercise: str  # net, train, test; "" when the file gave none
    level: str  # 1, 2, 3, all (as the progress file records it); "" when unknown
    status: str
    score: int
    keys: tuple[str, ...] = ()  # the diagnoses that fired, in the check's order
    notebook: str = ""  # the file, below the learner's folder
    problem: str = ""  # what happened, in words: errors, a timeout, refused writes
    messages: dict[str, str] = field(default_factory=dict, compare=False)  # key -> what the check told the learner

    def csv(self) -> dict[str, str]:
        """The row as grades.csv writes it (keys separated by spaces)."""
        return {"student": self.student, "exercise": self.exercise, "level": self.level, "status": self.status,
                "score": str(self.score), "keys": " ".join(self.keys), "notebook": self.notebook,
                "problem": self.problem}


def unreadable_row(submission: Submission, status: str, why: str) -> Row:
    """The one row of a file that could not be run (not a notebook, broken JSON)."""
    return Row(submission.student, "", "", status, score(status), notebook=submission.name, problem=why)


def rows(submission: Submission, chosen: Plan, ran: Ran) -> list[Row]:
    """One row per piece: those the notebook exercises, and any other piece a check recorded, in the course's order."""
    last = {a.exercise: a for a in ran.attempts}  # the file's order: the last check of each piece wins
    pieces = [p for p in PIECES if p in chosen.pieces or p in last] + sorted(set(last) - set(PIECES))
    problem = "; ".join([*ran.refused, *ran.problems])
    if not pieces:
        return [Row(submission.student, "", chosen.level, REFUSED if ran.refused else ran.stopped or NO_CHECK, 0,
                    notebook=submission.name, problem=problem or "no check of net, train or test in the notebook")]
    found = []
    for piece in pieces:
        attempt = last.get(piece)
        status = REFUSED if ran.refused else attempt.status if attempt else ran.stopped or NO_CHECK
        keys = attempt.keys if attempt else ()
        messages = {f["key"]: f["message"] for f in ran.findings if f["exercise"] == piece and f["key"] in keys}
        found.append(Row(submission.student, piece, attempt.level if attempt else chosen.level, status, score(status),
                         keys, submission.name, problem or ("" if attempt else f"no check of {piece} ran"),
                         messages))
    return found
