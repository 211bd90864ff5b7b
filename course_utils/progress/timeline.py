"""The timeline figure: every check of every exercise over time, and when the next rebuild is due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .attempt import Attempt
from .summary import Row

__all__ = ["MARKS", "timeline"]

#: status -> (marker, colour, label, offset): told apart by shape and colour, and drawn on a lane of their own
#: (the offset from the exercise's line), so that the checks of one sitting, minutes apart on a scale of days,
#: do not hide each other
MARKS = {
    "correct": ("o", "#2e7d32", "correct", -0.22),
    "incorrect": ("x", "#c62828", "incorrect", 0.0),
    "not attempted": (".", "#757575", "not attempted", 0.22),
}


def timeline(attempts: Sequence[Attempt], rows: Sequence[Row], now: datetime) -> Figure:
    """One line per exercise: a mark per check (its status's lane), and a hollow diamond where a rebuild is due."""
    names = [row.exercise for row in rows]
    fig, ax = plt.subplots(figsize=(7, 0.6 * max(len(names), 1) + 1.6))
    for status, (marker, colour, label, offset) in MARKS.items():
        mine = [a for a in attempts if a.status == status and a.exercise in names]
        if mine:
            ax.scatter([a.time for a in mine], [names.index(a.exercise) + offset for a in mine],
                       marker=marker, color=colour, label=f"{label} ({len(mine)})", alpha=0.7, zorder=3)
    due = [(row.due.at, i) for i, row in enumerate(rows) if row.due is not None]
    if due:
        ax.scatter([at for at, _ in due], [i for _, i in due], marker="D", facecolors="none",
                   edgecolors="#1565c0", s=60, label="rebuild due", zorder=3)
    ax.axvline(now, color="#9e9e9e", linestyle="--", linewidth=1, label="now")
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.4, -0.6)  # the course's order, top to bottom
    ax.set_xlabel("date")
    ax.set_ylabel("exercise")
    ax.set_title("Your checks over time, and the next from-blank rebuild")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
