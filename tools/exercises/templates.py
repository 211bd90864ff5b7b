"""The code an exercise contains, read from the linted templates in ``tools/exercise_templates/``.

A template is a Python file in sections, the percent format of Jupytext and VS Code: a line
``# %% <name>`` opens the section ``<name>``, which runs to the next such line. What stands above the
first section (a docstring, ruff settings) is never copied.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from tools.exercises.markers import ExerciseError

__all__ = ["TEMPLATES", "blank_lines", "read_sections", "section", "sections", "with_level"]

TEMPLATES = Path(__file__).resolve().parent.parent / "exercise_templates"
_SECTION = re.compile(r"^# %% (\S+)[^\n]*$", re.M)
_LEVEL = re.compile(r"\blevel=1\b")


def read_sections(path: Path) -> dict[str, str]:
    """The sections of the template file at ``path`` by name, without blank lines at their ends."""
    if not path.is_file():
        raise ExerciseError(f"no template {path}: the generated notebooks' code cells are read from it")
    parts = _SECTION.split(path.read_text())
    return {name: body.strip("\n") for name, body in zip(parts[1::2], parts[2::2])}


@cache
def sections(template: str) -> dict[str, str]:
    """The sections of ``exercise_templates/<template>.py`` by name, without blank lines at their ends."""
    return read_sections(TEMPLATES / f"{template}.py")


def section(template: str, name: str) -> str:
    """One section of a template: the text of one cell (or of one blank)."""
    found = sections(template)
    if name not in found:
        raise ExerciseError(
            f"tools/exercise_templates/{template}.py has no section `# %% {name}` "
            f"(it has: {', '.join(found) or 'none'}); add it."
        )
    return found[name]


def blank_lines() -> tuple[str, str]:
    """The two lines of a blank (``blanks.py``, section ``blank``): the comment to write under, the line to delete."""
    lines = section("blanks", "blank").splitlines()
    if len(lines) != 2:
        raise ExerciseError(
            f"tools/exercise_templates/blanks.py: the section `# %% blank` must have 2 lines (a comment to "
            f"write under and a line to delete), found {len(lines)}."
        )
    return lines[0], lines[1]


def with_level(code: str, level: int) -> str:
    """A check cell of ``piece.py`` with the exercise's ``level`` in place of ``level=1``.

    The check passes the level on to the progress file (:mod:`course_utils.progress`).
    """
    if len(_LEVEL.findall(code)) != 1:
        raise ExerciseError(
            f"a check cell of tools/exercise_templates/piece.py must pass `level=1` once (the generator writes "
            f"the exercise's level there), found:\n{code}"
        )
    return _LEVEL.sub(f"level={level}", code)
