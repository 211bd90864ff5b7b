"""Building the exercise notebooks: cells from the templates, the teaching cells and the words of :mod:`text`."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from tools.exercises.levels import fill_in, from_blank, rebuild
from tools.exercises.markers import solution
from tools.exercises.pieces import ALL_NAME, LEVELS, PIECES
from tools.exercises.sources import Source, find_sources, import_lines, parse, plain_imports
from tools.exercises.templates import section, with_level
from tools.exercises.text import HOW_TO_CHECK, PROGRESS, ask_for_help, level_nav, next_text, spec, stuck, what_to_do
from tools.notebooks import NB_DIR

__all__ = ["KERNELSPEC", "META_KEY", "build", "setup_cell", "setup_code"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: the notebook metadata key that marks a notebook as written by this generator
META_KEY = "course_exercise"


def _md(text: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    cell["id"] = cell_id
    return cell


def _code(text: str, cell_id: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text.strip("\n"), metadata={"tags": tags} if tags else {})
    cell["id"] = cell_id
    return cell


def _used_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _bound_name(import_line: str) -> str:
    alias = ast.parse(import_line).body[0].names[0]
    return alias.asname or alias.name.split(".")[0]


def _choose(candidates: list[str], code: list[str]) -> list[str]:
    """The first import line that binds each name ``code`` uses, in the candidates' order."""
    wanted = set().union(*(_used_names(c) for c in code))
    chosen: dict[str, str] = {}
    for line in dict.fromkeys(candidates):
        name = _bound_name(line)
        if name in wanted and name not in chosen:
            chosen[name] = line
    return list(chosen.values())


def setup_cell(template: str, sources: list[Source], code: list[str]) -> str:
    """The template's ``setup`` section, its plain imports cut down to those ``code`` uses.

    The candidates are the template's own imports, then the teaching notebooks' (``sources``); the
    ``course_utils`` lines stay as they are. Lint of the generated notebooks is set in
    ``pyproject.toml`` (``notebooks/exercises/*``: an import for code still to write, a name a blank
    leaves undefined or unused), so the learner's cells carry no ruff comments.
    """
    return setup_code(section(template, "setup"), f"tools/exercise_templates/{template}.py, section setup",
                      sources, code)


def setup_code(text: str, where: str, sources: list[Source], code: list[str]) -> str:
    """A set-up cell's ``text`` (from ``where``), its plain imports cut down to those ``code`` uses.

    The candidates are its own imports, then those of the teaching notebooks (``sources``); the
    ``course_utils`` lines stay as they are (:func:`setup_cell`).
    """
    tree = parse(text, where)
    chosen = _choose(import_lines(tree) + [line for s in sources for line in s.imports], code)
    cut = {i for node in plain_imports(tree) for i in range(node.lineno - 1, node.end_lineno)}
    at = min(cut, default=0)  # the chosen imports go where the template's first plain import was
    kept = [line for i, line in enumerate(text.splitlines()) if i not in cut]
    return "\n".join(kept[:at] + chosen + kept[at:])


def _answer(source: Source, level: int) -> str:
    if level == 1:
        return fill_in(source.definition)
    if level == 2:
        piece = source.piece
        return rebuild(source.definition, source.docstring_at(2) if piece.level_2_doc else None, piece.outline)
    return from_blank(source.piece)


def _notebook(cells: list[nbformat.NotebookNode], **info: object) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata[META_KEY] = info
    return nb


def _given(sources: dict[str, Source], name: str) -> list[nbformat.NotebookNode]:
    """What the exercise on ``name`` is given, solved, for its last cell: the network, and for ``test`` the loop.

    The exercises on ``train`` and ``test`` get the network from notebook 03; the one on ``test`` also
    gets the training loop from 05, so that its last cell trains for one epoch before it measures.
    """
    if name == "net":
        return []
    given = [sources["net"]] + ([sources["train"]] if name == "test" else [])
    things = " and ".join(f"{s.piece.label.lower()} from [{s.title}](../{s.notebook})" for s in given)
    rebuilt = " and ".join(f"`{s.piece.name}_*`" for s in given)
    it = "it" if len(given) == 1 else "them"
    heading = " and ".join(s.piece.label.lower() for s in given)
    return [
        _md(
            f"## Given: {heading}\n{things[0].upper()}{things[1:]}, ready to use (the {rebuilt} exercises "
            f"rebuild {it}). Your `{sources[name].piece.symbol}` does not need {it}; the last cell does.",
            "given-md",
        ),
        *(_code(solution(s.definition), f"given-{s.piece.name}") for s in given),
    ]


def _piece_notebook(sources: dict[str, Source], name: str, level: int, words: str) -> nbformat.NotebookNode:
    source = sources[name]
    piece = source.piece
    answer = _answer(source, level)
    given = _given(sources, name)
    used = [answer, *(c.source for c in given if c.cell_type == "code"), piece.try_it, solution(source.definition)]
    cells = [
        _md(f"# Exercise \u00b7 {piece.label} \u00b7 {level} of 3: {words}\n{piece.goal}", "title"),
        _md(
            f"**What to do.** {what_to_do(source, level)}\n\n{HOW_TO_CHECK}\n\n"
            f"**When stuck.** {ask_for_help('result', name)} Or read {stuck(source)}, then close it and "
            f"write the code from memory.\n\n"
            f"**Levels.** {level_nav(piece, level)}",
            "instructions",
        ),
        _code(setup_cell("piece", [source, *sources.values()], used), "setup"),
        *given,
        _md(f"## Your turn: {source.heading}\n\n{spec(source, level)}", "your-turn"),
        _code(answer, "answer", [f"answer:{name}"]),
        _md("## Check\nRun this cell after every change to your code above. Stuck? `result.hint()` in a new "
            "cell gives a hint.", "check-md"),
        _code(with_level(section("piece", f"check:{name}"), level), "check", ["check"]),
        _md("## Try it for real\nOnce the check says *correct*, this cell uses your code on the real data.",
            "try-md"),
        _code(piece.try_it, "try-it", ["try-it"]),
        _md(f"## Next\n{next_text(piece, level)}", "next"),
        _md(PROGRESS, "progress-md"),
        _code(section("piece", "progress"), "progress", ["progress"]),
    ]
    return _notebook(cells, piece=name, level=level, source=source.notebook)


def _all_intro(order: list[Source]) -> list[nbformat.NotebookNode]:
    """The title and the instructions of ``all_from_blank``."""
    links = "\n".join(f"- {s.piece.label.lower()}: {stuck(s)}" for s in order)
    pieces = ", ".join(f"[{s.piece.label.lower()}]({s.piece.name}_1_fill_in.ipynb)" for s in order)
    return [
        _md(
            "# Exercise \u00b7 LeNet from a blank page: network, training loop, test loop\n"
            "Write the network, the training loop and the test loop from memory, then train your "
            "network with your loop and measure it with your test.",
            "title",
        ),
        _md(
            "**What to do.** Under each heading, write the class or function the specification "
            "describes, in place of its `= None` line. Nothing else is given.\n\n"
            f"{HOW_TO_CHECK} Each piece has its own check cell, under its answer; the last cell trains for "
            f"real once all three say *correct*.\n\n"
            f"**When stuck.** {ask_for_help('result_net', 'net')} (`result_train`, `result_test` and "
            f"`\"train\"`, `\"test\"` for the others.) Or read the section that teaches it, then close it and "
            f"write the code from memory:\n{links}\n\n"
            f"**One piece at a time.** Each piece has its own exercises in three levels: {pieces}.",
            "instructions",
        ),
    ]


def _all_notebook(sources: dict[str, Source]) -> nbformat.NotebookNode:
    order = [sources[p.name] for p in PIECES]
    train_for_real = section("all_from_blank", "train-for-real")
    used = [from_blank(s.piece) for s in order] + [train_for_real] + [solution(s.definition) for s in order]
    cells = [*_all_intro(order), _code(setup_cell("all_from_blank", order, used), "setup")]
    for number, source in enumerate(order, start=1):
        name = source.piece.name
        cells += [
            _md(f"## {number} \u00b7 {source.heading}\n\n{spec(source, 3)}", f"{name}-spec"),
            _code(from_blank(source.piece), f"{name}-answer", [f"answer:{name}"]),
            _code(section("all_from_blank", f"check:{name}"), f"{name}-check", ["check"]),
        ]
    cells += [
        _md(
            "## 4 \u00b7 Train for real\nYour network, trained by your loop on the course's data (the "
            "6,000-image sample in quick mode), as notebook 07 does it: your test loop measures the "
            "validation images after every epoch, to watch the training, and the test images once, at the "
            "end, for the number to report.",
            "train-md",
        ),
        _code(train_for_real, "train-for-real", ["try-it"]),
        _md(
            "## Next\nDo it again another day, from a blank page, until each line is a tool you "
            "understand rather than syntax you look up.",
            "next",
        ),
        _md(PROGRESS, "progress-md"),
        _code(section("all_from_blank", "progress"), "progress", ["progress"]),
    ]
    return _notebook(cells, piece="all", level=3, source=", ".join(s.notebook for s in order))


def build(notebook_dir: Path = NB_DIR) -> dict[str, nbformat.NotebookNode]:
    """Every exercise notebook, by file name, built from the teaching notebooks in ``notebook_dir``."""
    sources = find_sources(notebook_dir)
    books = {}
    for piece in PIECES:
        for level, part, words in LEVELS:
            books[f"{piece.name}_{level}_{part}.ipynb"] = _piece_notebook(sources, piece.name, level, words)
    books[ALL_NAME] = _all_notebook(sources)
    for name, nb in books.items():
        nbformat.validate(nb)
        for cell in nb.cells:  # every code cell must at least parse
            if cell.cell_type == "code":
                parse(cell.source, f"generated {name}, cell {cell.id}")
    return books
