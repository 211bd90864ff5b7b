"""The words of an exercise notebook: specification, what to do, how to check, where to look, what next."""

from __future__ import annotations

import inspect
import re

from tools.exercises.levels import fill_in, returned_after_blank
from tools.exercises.pieces import ALL_NAME, LEVELS, Piece
from tools.exercises.sources import Source, markdown_text
from tools.exercises.templates import blank_lines

__all__ = [
    "HOW_TO_CHECK",
    "PROGRESS",
    "ask_for_help",
    "level_nav",
    "next_text",
    "prose",
    "requirements",
    "spec",
    "stuck",
    "what_to_do",
]

HOW_TO_CHECK = (
    "**How to check.** Run every cell from the top (*Run \u2192 Run All Cells*). The check cell runs "
    "your code on tiny made-up data and answers *correct*, *incorrect* (saying what is wrong and how "
    "to fix it) or *not attempted*. After a change, run your cell again, then the check."
)

PROGRESS = (
    "## Your progress\nEvery check is noted on this computer (the time, the exercise, the level, the "
    "verdict and the names of the mistakes it found; never your code). This cell shows your attempts, "
    "the mistakes that come back, and when a "
    "rebuild from a blank page is due: 1, 3, 7, then 14 days after a correct one, sooner after a failed "
    "one. The same table in a terminal: `python -m course_utils.progress`; to note nothing, set the "
    "environment variable `COURSE_PROGRESS=off`."
)


def ask_for_help(result: str, piece: str) -> str:
    """How to ask for a hint (``<result>.hint()``) and for the solution (``checks.solution("<piece>")``)."""
    return (
        f"Run `{result}.hint()` in a new cell under the check for a hint; run it again for the next one "
        f"(first the idea, then where it goes, then the line's shape). `checks.solution(\"{piece}\")` shows "
        f"the course's code: looking is fine, if you then close it and rebuild it from a blank page tomorrow."
    )


def prose(docstring: str) -> str:
    """A docstring as markdown prose: paragraphs joined into lines, ``_`` and ``*`` shown as typed."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines())
                  for block in re.split(r"\n\s*\n", inspect.cleandoc(docstring)) if block.strip()]
    out = []
    for paragraph in paragraphs:
        parts = re.split(r"(`[^`]*`)", paragraph)
        out.append("".join(p if p.startswith("`") else re.sub(r"([_*\\<])", r"\\\1", p) for p in parts))
    return "\n\n".join(out)


def requirements(source: Source, level: int) -> str:
    """Every behaviour the check enforces, as a markdown list under a bold lead (empty for none).

    Levels 1 and 2 name the calls (:attr:`Piece.requires`); level 3 states the behaviours only
    (:attr:`Piece.behaviours`), and leaves the calls to the hints.
    """
    piece = source.piece
    listed = piece.behaviours if level == 3 and piece.behaviours else piece.requires
    items = [f"- {source.fill(item)}" for item in listed]
    return "**What the check requires.**\n" + "\n".join(items) if items else ""


def spec(source: Source, level: int) -> str:
    """The specification at ``level``, what the check does, everything it requires, and the course's contract.

    Levels 1 and 2 quote the docstring the answer cell shows (:meth:`Source.docstring_at`) and list a
    class's methods; level 3 quotes the docstring's first paragraph and the shapes in and out.
    """
    piece = source.piece
    keyword = "class" if piece.kind == "class" else "def"
    paragraphs = prose(source.docstring_at(level)).split("\n\n")
    if level == 3:
        paragraphs = paragraphs[:1] + ([piece.shapes] if piece.shapes else [])
    quoted = "\n>\n".join(f"> {p}" for p in paragraphs)
    parts = [f"**Specification.** `{keyword} {source.signature}`\n\n{quoted}"]
    if source.methods and level < 3:
        parts.append("\n".join(
            f"- `def {sig}`" + (f": {prose(doc)}" if doc else "") for sig, doc in source.methods
        ))
    parts.append(f"**The check** {piece.expects}")
    parts.append(requirements(source, level))
    parts.append(piece.contract)
    return "\n\n".join(p for p in parts if p)


def stuck(source: Source) -> str:
    """A link to the section of the teaching notebook that teaches the piece."""
    return f"[{source.title} \u2192 {markdown_text(source.heading)}]({source.link})"


def level_nav(piece: Piece, level: int) -> str:
    """The three levels and the all-in-one notebook, as links; the current level in bold."""
    items = []
    for number, part, words in LEVELS:
        text = f"{number} \u00b7 {words}"
        items.append(f"**{text}**" if number == level else f"[{text}]({piece.name}_{number}_{part}.ipynb)")
    items.append(f"[all three from blank]({ALL_NAME})")
    return " \u2192 ".join(items)


def what_to_do(source: Source, level: int) -> str:
    """What the learner writes, and where, at ``level``."""
    piece, number = source.piece, source.notebook[:2]
    todo, raise_line = blank_lines()
    thing = f"the class `{piece.symbol}`" if piece.kind == "class" else f"the function `{piece.symbol}`"
    if level == 1:
        kept = returned_after_blank(fill_in(source.definition))
        end = (f" End with {piece.result} in `{kept}`: the cell keeps `return {kept}` after the blank."
               if kept else "")
        end += f" {piece.level_1_note}" if piece.level_1_note else ""
        return (f"In the cell under *Your turn*, {thing} from notebook {number} has its key lines "
                f"removed. Write them where it says `{todo}`, and delete the `{raise_line}` line.{end}")
    if level == 2:
        kept = ("its signature, its docstring and the signatures of its methods" if piece.kind == "class"
                else "its signature and its docstring")
        outline = (" The comments above the blank outline the body's structure; the lines are yours."
                   if piece.outline and piece.kind == "function" else "")
        return (f"In the cell under *Your turn*, {thing} keeps only {kept}. Write the "
                f"{'method bodies' if piece.kind == 'class' else 'body'} in place of `{todo}` and "
                f"`{raise_line}`.{outline}")
    return (f"Nothing is left of {thing} but its specification. Write it whole in the cell under "
            f"*Your turn*, in place of `{piece.symbol} = None`.")


def next_text(piece: Piece, level: int) -> str:
    """Where to go once the check says correct: the next level, or all three from blank."""
    if level < 3:
        number, part, words = LEVELS[level]
        return (f"When the check says *correct*, go on to level {number}, "
                f"[{words}]({piece.name}_{number}_{part}.ipynb): less is given there.")
    return (f"When the check says *correct*, do it again tomorrow, from a blank page, until you no "
            f"longer need to look anything up. Then rebuild all three pieces together: "
            f"[all three from blank]({ALL_NAME}).")
