"""How long a notebook takes a learner: reading at 200 words a minute plus the stored cell run times.

The README's contents table gives each notebook's time twice: the core path (cells not tagged
``optional``) and the whole notebook. Run times come from the timestamps nbclient stores in each
code cell's metadata (``execution``) when ``make execute`` runs the notebook on the full data, so
the estimate follows the committed outputs. Navigation and Colab cells are not counted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

from tools.notebooks import read

__all__ = ["OPTIONAL", "WORDS_PER_MINUTE", "NotebookTime", "notebook_time", "run_seconds", "words"]

WORDS_PER_MINUTE = 200
OPTIONAL = "optional"  # the cell tag of optional depth (its heading starts with "Optional:")
_SKIPPED = {"navigation", "colab"}
_WORD = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class NotebookTime:
    """Minutes for the core path and for the whole notebook (reading plus running)."""

    core_minutes: float
    whole_minutes: float

    def label(self) -> str:
        """``"25 min"`` when both agree (rounded up), else ``"25 min (whole: 40 min)"``."""
        core, whole = math.ceil(self.core_minutes), math.ceil(self.whole_minutes)
        return f"{core} min" if core == whole else f"{core} min (whole: {whole} min)"


def words(text: str) -> int:
    """The number of words (runs of letters, digits and underscores) in ``text``."""
    return len(_WORD.findall(text))


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def run_seconds(cell: nbformat.NotebookNode) -> float:
    """Seconds the cell ran in the stored run (0 when no timing was stored)."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return max(0.0, (_stamp(end) - _stamp(start)).total_seconds())


def _cell_minutes(cell: nbformat.NotebookNode) -> float:
    seconds = run_seconds(cell) if cell.cell_type == "code" else 0.0
    return words(cell.source) / WORDS_PER_MINUTE + seconds / 60


def notebook_time(path: Path) -> NotebookTime:
    """Reading and running time of the notebook at ``path``: core path and whole."""
    core = whole = 0.0
    for cell in read(path).cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _SKIPPED:
            continue
        minutes = _cell_minutes(cell)
        whole += minutes
        if OPTIONAL not in tags:
            core += minutes
    return NotebookTime(core, whole)
