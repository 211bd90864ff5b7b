"""The progress table, as text (a terminal, the site, nbval) and as HTML (a notebook), and :func:`show`.

Rendered from the templates below, as :mod:`course_utils.checks.result` renders a check's result.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from string import Template

from matplotlib.figure import Figure

from .mistakes import mistake_name
from .store import ENV, Progress, read
from .summary import Row, summarise
from .timeline import timeline

__all__ = ["HEADERS", "TIMES_NOTE", "Report", "duration", "report", "show"]

HEADERS = ("exercise", "attempts", "passes", "levels passed", "time to correct: first", "latest",
           "recurring mistakes", "rebuild due")
#: What the two time columns measure, under the table.
TIMES_NOTE = ("time to correct: from the first check of a round to its correct one; first is the first round, "
              "latest the most recent.")
TABLE = Template('<div><table style="border-collapse: collapse;"><thead><tr>$head</tr></thead>'
                 "<tbody>$body</tbody></table>$notes</div>")
CELL = Template('<td style="padding: 0.2em 0.6em; text-align: left;">$text</td>')
HEAD = Template('<th style="padding: 0.2em 0.6em; text-align: left;">$text</th>')
NOTE = Template("<p>$text</p>")


def duration(span: timedelta | None) -> str:
    """'45 s', '12 min', '3.5 h', '2 days'; '-' for None."""
    if span is None:
        return "-"
    seconds = span.total_seconds()
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _cells(row: Row, now: datetime) -> tuple[str, ...]:
    recurring = ", ".join(f"{mistake_name(key)} \u00d7{count}" for key, count in row.recurring) or "-"
    due = "-" if row.due is None else f"{row.due.text(now)}: {row.due.why}"
    return (row.exercise, str(row.attempts), str(row.passes), ", ".join(row.levels_passed) or "-",
            duration(row.first_time), duration(row.last_time), recurring, due)


@dataclass
class Report:
    """The progress table: one row per exercise, and notes (where the file is, what was wrong with it)."""

    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    figure: Figure | None = field(default=None, repr=False)  # the timeline, once drawn (see show)

    def table(self) -> list[tuple[str, ...]]:
        """The table's rows as text cells, the headers first."""
        return [HEADERS] + [_cells(row, self.now) for row in self.rows]

    def __str__(self) -> str:
        lines = []
        if self.rows:
            table = self.table()
            widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
            lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
            lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines + self.notes)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        head, *body = self.table() if self.rows else [()]
        return TABLE.substitute(
            head="".join(HEAD.substitute(text=html.escape(c)) for c in head),
            body="".join("<tr>" + "".join(CELL.substitute(text=html.escape(c)) for c in r) + "</tr>" for r in body),
            notes="".join(NOTE.substitute(text=html.escape(n)) for n in self.notes),
        )


def report(progress: Progress, now: datetime | None = None) -> Report:
    """The :class:`Report` of what the progress file holds (``progress``, from :func:`~.store.read`)."""
    notes = list(progress.problems)
    if progress.path is not None:
        if not progress.attempts:
            notes.append(f"No checks recorded yet in {progress.path}: run a check in a lesson or an exercise.")
        else:
            notes.append(f"Recorded in {progress.path} (set {ENV} to use another file, or to off).")
    rows = summarise(progress.attempts)
    if any(row.first_time is not None for row in rows):
        notes.insert(0, TIMES_NOTE)
    return Report(rows, notes, now or datetime.now(timezone.utc))


def show(path: Path | None = None, now: datetime | None = None) -> Report:
    """The progress table, with its timeline figure drawn (``.figure``; None when nothing is recorded).

    Reads the progress file (``path``, else ``$COURSE_PROGRESS`` or the user's data folder). In a
    notebook cell, ``progress.show()`` shows the table, then the figure.
    """
    progress = read(path)
    shown = report(progress, now)
    if progress.attempts:
        shown.figure = timeline(progress.attempts, shown.rows, shown.now)
    return shown
