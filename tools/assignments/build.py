"""Building the assignment notebooks: the exercises' sources and words, nbgrader's cells, the reference solutions.

The solution in each answer cell is the teaching notebook's code (:func:`tools.exercises.solution` of the
cell tagged ``exercise:<piece>``), between nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines;
``nbgrader generate_assignment`` puts its stub in their place for the learners.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nbformat

from tools.assignments.cells import answer, graded_test, markdown, read_only
from tools.assignments.plan import ASSIGNMENTS, POINTS, Assignment
from tools.assignments.text import SUBMIT, instructions, title
from tools.exercises import ExerciseError, Source, find_sources, solution
from tools.exercises.build import KERNELSPEC, META_KEY, setup_code
from tools.exercises.markers import BEGIN, END
from tools.exercises.sources import parse
from tools.exercises.templates import read_sections
from tools.exercises.text import spec
from tools.notebooks import NB_DIR

__all__ = ["TEMPLATE", "build", "build_one", "check_cell", "solution_cell"]

TEMPLATE = Path(__file__).resolve().parent / "template_cells.py"


@cache
def _sections() -> dict[str, str]:
    return read_sections(TEMPLATE)


def _section(name: str) -> str:
    found = _sections()
    if name not in found:
        raise ExerciseError(f"{TEMPLATE} has no section `# %% {name}` (it has: {', '.join(found)}); add it.")
    return found[name]


def solution_cell(source: Source) -> str:
    """An answer cell as the instructor keeps it: the placeholder line, then the solution between the markers."""
    return "\n".join([_section(f"answer:{source.piece.name}"), BEGIN, solution(source.definition), END])


def check_cell(piece: str, level: int | str) -> str:
    """The graded test cell of ``piece``, its check recording ``level`` (``level=3`` in the template)."""
    code = _section(f"check:{piece}")
    if code.count("level=3") != 1:
        raise ExerciseError(f"{TEMPLATE}, section check:{piece}, must pass `level=3` once (the level goes there).")
    return code.replace("level=3", f'level="{level}"' if isinstance(level, str) else f"level={level}")


def build_one(assignment: Assignment, sources: dict[str, Source]) -> nbformat.NotebookNode:
    """The source notebook of one assignment (solutions in place), as ``nbgrader/source/<name>/`` holds it."""
    mine = [sources[name] for name in assignment.pieces]
    answers = [solution_cell(s) for s in mine]
    checks = [check_cell(s.piece.name, assignment.level) for s in mine]
    setup = setup_code(_section("setup"), f"{TEMPLATE.name}, section setup", [*mine, *sources.values()],
                       [*answers, *checks, _section("may-use")])
    cells = [markdown(title(assignment), "title"), markdown(instructions(assignment, sources), "instructions"),
             read_only(setup, "setup")]
    for number, (source, code, check) in enumerate(zip(mine, answers, checks), start=1):
        name = source.piece.name
        heading = "Your turn" if len(mine) == 1 else f"{number} \u00b7 Your turn"
        cells += [
            markdown(f"## {heading}: {source.heading}\n\n{spec(source, 3)}", f"{name}-spec"),
            answer(code, f"{name}_answer"),
            graded_test(check, f"{name}_check", POINTS),
        ]
    cells.append(markdown(SUBMIT, "submit"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    piece = assignment.pieces[0] if len(mine) == 1 else "all"
    nb.metadata[META_KEY] = {"piece": piece, "level": 3, "source": ", ".join(s.notebook for s in mine),
                             "assignment": assignment.name}
    return nb


def build(notebook_dir: Path = NB_DIR) -> dict[str, dict[str, nbformat.NotebookNode]]:
    """Every assignment: its name -> {notebook file name: notebook}, from the teaching notebooks in ``notebook_dir``."""
    sources = find_sources(notebook_dir)
    out = {}
    for assignment in ASSIGNMENTS:
        nb = build_one(assignment, sources)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                parse(cell.source, f"assignment {assignment.name}, cell {cell.id}")
        out[assignment.name] = {assignment.notebook: nb}
    return out
