"""The words of an exercise notebook: specification, what to do, how to check, where to look, what next."""

from __future__ import annotations

import inspect
import re

from tools.exercises.levels import fill_in, returned_after_blank
from tools.exercises.pieces import ALL_NAME, LEVELS, Piece
from tools.exercises.sources import Source, markdown_text
from tools.exercises.templates import blank_lines

__all__ = ["HOW_TO_CHECK", "level_nav", "next_text", "prose", "spec", "stuck", "what_to_do"]

HOW_TO_CHECK = (
    "**How to check.** Run every cell from the top (*Run \u2192 Run All Cells*). The check cell runs "
    "your code on tiny made-up data and answers *correct*, *incorrect* (saying what is wrong and how "
    "to fix it) or *not attempted*. After a change, run your cell again, then the check."
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


def spec(source: Source, level: int) -> str:
    """The specification: the whole docstring (levels 1 and 2), or its first paragraph and the shapes (3)."""
    piece = source.piece
    keyword = "class" if piece.kind == "class" else "def"
    paragraphs = prose(source.docstring).split("\n\n")
    if level == 3:
        paragraphs = paragraphs[:1] + ([piece.shapes] if piece.shapes else [])
    quoted = "\n>\n".join(f"> {p}" for p in paragraphs)
    parts = [f"**Specification.** `{keyword} {source.signature}`\n\n{quoted}"]
    if source.methods and level < 3:
        parts.append("\n".join(
            f"- `def {sig}`" + (f": {prose(doc)}" if doc else "") for sig, doc in source.methods
        ))
    expects = piece.expects_blank if level == 3 and piece.expects_blank else piece.expects
    parts.append(f"**The check** {expects}")
    return "\n\n".join(parts)


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
        return (f"In the cell under *Your turn*, {thing} from notebook {number} has its key lines "
                f"removed. Write them where it says `{todo}`, and delete the `{raise_line}` line.{end}")
    if level == 2:
        kept = ("its signature, its docstring and the signatures of its methods" if piece.kind == "class"
                else "its signature and its docstring")
        return (f"In the cell under *Your turn*, {thing} keeps only {kept}. Write the "
                f"{'method bodies' if piece.kind == 'class' else 'body'} in place of `{todo}` and `{raise_line}`.")
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
