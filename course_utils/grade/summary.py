"""The class in numbers: how many learners got each piece right, and the mistakes by how many made them.

Counted per learner, not per notebook: a learner who handed in a piece twice (its exercise and
all three from blank) counts once, by their best status for it (correct before incorrect, before not
attempted, before anything the grader could not grade). A mistake counts each learner once, however
many of their checks found it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from course_utils.progress.mistakes import mistake_name

from .diagnoses import descriptions
from .notebook import PIECES
from .rows import Row
from .statuses import INCORRECT, ORDER, VERDICTS

__all__ = ["ClassSummary", "Mistake", "PieceCount", "summarise"]


@dataclass(frozen=True)
class PieceCount:
    """One piece across the class: the learners who handed it in, and how many ended at each status."""

    exercise: str
    learners: int
    statuses: dict[str, int]  # status -> learners, in ORDER, only those that occur


@dataclass(frozen=True)
class Mistake:
    """One diagnosis across the class: how many learners it was found in, where, and the checks' words for it."""

    key: str
    name: str  # in the learner's words (course_utils.progress.mistakes)
    learners: int
    exercises: tuple[str, ...]
    about: str  # the rule's description ("" when no rule fires this key)
    example: str  # what the check told one learner ("" when none was captured)


@dataclass(frozen=True)
class ClassSummary:
    """What the report shows: the learners, each piece, the mistakes (most common first), the rows not graded."""

    learners: int
    files: int  # the files handed in, notebooks or not
    pieces: list[PieceCount]
    mistakes: list[Mistake]
    not_graded: list[Row]


def _rank(status: str) -> int:
    return ORDER.index(status) if status in ORDER else len(ORDER)


def _pieces(rows: Sequence[Row]) -> list[PieceCount]:
    best: dict[str, dict[str, str]] = defaultdict(dict)  # piece -> student -> best status
    for row in rows:
        if row.exercise:
            now = best[row.exercise].get(row.student)
            if now is None or _rank(row.status) < _rank(now):
                best[row.exercise][row.student] = row.status
    names = [p for p in PIECES if p in best] + sorted(set(best) - set(PIECES))
    counts = []
    for piece in names:
        tally = Counter(best[piece].values())
        ordered = {s: tally[s] for s in sorted(tally, key=_rank)}
        counts.append(PieceCount(piece, len(best[piece]), ordered))
    return counts


def _mistakes(rows: Sequence[Row]) -> list[Mistake]:
    found_in: dict[str, set[tuple[str, str]]] = defaultdict(set)  # key -> (student, piece)
    said: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.status != INCORRECT:
            continue
        for key in row.keys:
            found_in[key].add((row.student, row.exercise))
            if key in row.messages:
                said[key][row.messages[key]] += 1
    found = []
    for key, pairs in found_in.items():
        who = {student for student, _ in pairs}
        pieces = tuple(p for p, _ in Counter(piece for _, piece in pairs).most_common())
        about = next((d[key] for d in map(descriptions, pieces) if key in d), "")
        example = said[key].most_common(1)[0][0] if said[key] else ""
        found.append(Mistake(key, mistake_name(key), len(who), pieces, about, example))
    return sorted(found, key=lambda m: (-m.learners, m.key))


def summarise(rows: Sequence[Row]) -> ClassSummary:
    """The :class:`ClassSummary` of every row of grades.csv."""
    return ClassSummary(
        learners=len({r.student for r in rows}),
        files=len({(r.student, r.notebook) for r in rows}),
        pieces=_pieces(rows),
        mistakes=_mistakes(rows),
        not_graded=[r for r in rows if r.status not in VERDICTS],
    )
