"""The blank contract: the cell metadata ``exercise.blank`` of a teaching cell, and its internal markers.

The cell tagged ``exercise:<piece>`` in a teaching notebook (03, 05, 06) shows only the lesson: its
metadata says which lines the exercises blank out, as ``"exercise": {"blank": [[first, last], ...]}``,
one pair per region, each the exact stripped text (``line.strip()``) of the region's first and last
line. Regions are listed in the order of the code and do not overlap; a first line is matched at its
first occurrence after the previous region, a last line at its first occurrence from the first line on.

:func:`mark` turns the metadata into the generator's internal representation: the definition with a
``### BEGIN SOLUTION`` / ``### END SOLUTION`` line (nbgrader style, indented like the region's first
line) around each region, which :mod:`~tools.exercises.levels` blanks and :func:`solution` removes
again, giving back the code the learner reads in the notebook.
"""

from __future__ import annotations

import json
import re

__all__ = ["BEGIN", "END", "FIX", "MARKER", "ExerciseError", "blank_regions", "mark", "solution"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
#: a marker line; group 1 is BEGIN or END
MARKER = re.compile(r"^\s*###\s*(BEGIN|END) SOLUTION\s*$")
#: the fix every metadata error names
FIX = "update the cell's metadata exercise.blank"
_EXPECTED = ('expected "exercise": {"blank": [[first line, last line], ...]}, one pair per region the exercises '
             "blank out, each line's exact stripped text, in the order of the code")


class ExerciseError(ValueError):
    """The teaching notebooks or the templates break the exercises' contract; the message says what to fix."""


def blank_regions(metadata: dict, where: str) -> list[tuple[str, str]]:
    """The ``(first line, last line)`` pairs of ``metadata["exercise"]["blank"]``; an error says what is wrong."""
    exercise = metadata.get("exercise")
    blank = exercise.get("blank") if isinstance(exercise, dict) else None
    if blank is None:
        raise ExerciseError(f"{where}: the cell has no metadata exercise.blank; {_EXPECTED}. Fix: {FIX}.")
    if not isinstance(blank, list) or not blank or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in blank):
        raise ExerciseError(f"{where}: metadata exercise.blank is {json.dumps(blank)}; {_EXPECTED}. Fix: {FIX}.")
    return [(first.strip(), last.strip()) for first, last in blank]


def _find(stripped: list[str], text: str, start: int) -> int:
    """The index of the first line from ``start`` on whose stripped text is ``text``, or -1."""
    return next((i for i in range(start, len(stripped)) if stripped[i] == text), -1)


def _problem(stripped: list[str], pair: tuple[str, str], previous: tuple[int, int], symbol: str) -> str:
    """Why ``pair`` has no region after ``previous``: a line missing, the regions overlapping or out of order."""
    first, last = pair
    found, begin = _find(stripped, first, 0), _find(stripped, first, previous[1] + 1)
    span = f"lines {previous[0] + 1}-{previous[1] + 1} of {symbol}"
    if found < 0:
        return f"the first line {first!r} is not a line of {symbol}"
    if begin < 0:
        if found >= previous[0]:
            return f"the first line {first!r} lies inside the previous region ({span}): regions must not overlap"
        return f"the first line {first!r} comes before the previous region ({span}): list them in the code's order"
    found = _find(stripped, last, 0)
    if found < 0:
        return f"the last line {last!r} is not a line of {symbol}"
    return (f"the last line {last!r} (line {found + 1} of {symbol}) comes before the first (line {begin + 1}): "
            "the pair is out of order")


def _region(stripped: list[str], pair: tuple[str, str], previous: tuple[int, int], symbol: str,
            where: str) -> tuple[int, int]:
    """The line indices of one region, searched after ``previous`` (the previous region's, or (-1, -1))."""
    begin = _find(stripped, pair[0], previous[1] + 1)
    end = _find(stripped, pair[1], begin) if begin >= 0 else -1
    if end < 0:
        raise ExerciseError(f"{where}: metadata exercise.blank {list(pair)}: "
                            f"{_problem(stripped, pair, previous, symbol)}; {_EXPECTED}. Fix: {FIX}.")
    return begin, end


def mark(definition: str, regions: list[tuple[str, str]], symbol: str, where: str) -> str:
    """``definition`` with the BEGIN / END marker lines around each region (the generator's representation).

    ``symbol`` names the definition in errors. A definition that already holds marker lines is refused:
    the notebooks show only the lesson, and the metadata says what to blank.
    """
    lines = definition.splitlines()
    if any(MARKER.match(line) for line in lines):
        raise ExerciseError(f"{where}: {symbol} contains `{BEGIN}` / `{END}` lines, but a lesson cell shows only "
                            f"the lesson: the exercises read what to blank from its metadata; {_EXPECTED}. "
                            f"Fix: delete the marker lines and {FIX}.")
    stripped = [line.strip() for line in lines]
    opens, closes, span = {}, {}, (-1, -1)  # line index -> the marker line before / after it
    for pair in regions:
        span = begin, end = _region(stripped, pair, span, symbol, where)
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        opens[begin], closes[end] = indent + BEGIN, indent + END
    out: list[str] = []
    for i, line in enumerate(lines):
        out += [opens[i]] if i in opens else []
        out.append(line)
        out += [closes[i]] if i in closes else []
    return "\n".join(out)


def solution(definition: str) -> str:
    """The definition with the marker lines removed: the teaching notebook's code."""
    return "\n".join(line for line in definition.splitlines() if not MARKER.match(line))
