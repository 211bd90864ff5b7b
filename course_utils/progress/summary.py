"""Each exercise's progress in numbers: attempts, passes, time to correct, recurring mistakes, what is due."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from .attempt import LEVELS, Attempt
from .schedule import Due, due

__all__ = ["ORDER", "Row", "summarise", "times_to_correct"]

#: The pieces in the course's order; any other exercise name follows, alphabetically.
ORDER = ("net", "train", "test")


@dataclass(frozen=True)
class Row:
    """One exercise's progress (one row of the table)."""

    exercise: str
    attempts: int  # checks of code that was attempted (correct or incorrect)
    passes: int  # checks that said correct
    levels_passed: tuple[str, ...]  # in LEVELS order
    first_time: timedelta | None  # from the first check to the first correct one
    last_time: timedelta | None  # from the first check after the previous correct one to the last correct one
    recurring: tuple[tuple[str, int], ...]  # diagnosis keys in 2 or more failed checks, (key, count), most first
    due: Due | None


def times_to_correct(attempts: list[Attempt]) -> list[timedelta]:
    """For each correct check (in time order): the time since the first check after the previous correct one."""
    times, start = [], None
    for a in attempts:
        start = start or a.time
        if a.passed:
            times.append(a.time - start)
            start = None
    return times


def _row(exercise: str, attempts: list[Attempt]) -> Row:
    tried = [a for a in attempts if a.attempted]
    times = times_to_correct(attempts)
    failed = Counter(k for a in tried if not a.passed for k in dict.fromkeys(a.keys))
    passed_levels = {a.level for a in tried if a.passed}
    return Row(
        exercise=exercise,
        attempts=len(tried),
        passes=sum(a.passed for a in tried),
        levels_passed=tuple(level for level in LEVELS if level in passed_levels),
        first_time=times[0] if times else None,
        last_time=times[-1] if times else None,
        recurring=tuple(sorted(((k, n) for k, n in failed.items() if n >= 2), key=lambda kn: (-kn[1], kn[0]))),
        due=due(attempts),
    )


def summarise(attempts: Iterable[Attempt]) -> list[Row]:
    """One :class:`Row` per exercise checked, in the course's order (net, train, test)."""
    by_exercise: dict[str, list[Attempt]] = {}
    for a in sorted(attempts, key=lambda a: a.time):
        by_exercise.setdefault(a.exercise, []).append(a)
    names = sorted(by_exercise, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    return [_row(name, by_exercise[name]) for name in names]
