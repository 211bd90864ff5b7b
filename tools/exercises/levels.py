"""The three levels of an exercise, made from a teaching cell's definition with its regions marked.

The definition is what :func:`~tools.exercises.markers.mark` gives: a marker line before and after each
region that the cell's metadata ``exercise.blank`` names.

1. :func:`fill_in`: each marked region becomes a blank (its comment lines stay, as hints);
2. :func:`rebuild`: every body becomes a blank; signatures and docstrings remain (the class's or
   function's own docstring can be replaced by a specification of behaviour, and a function's blank
   body can keep a few comment lines that outline its structure);
3. :func:`from_blank`: nothing but a placeholder.

The blank and the placeholders are the sections of ``tools/exercise_templates/blanks.py``.
"""

from __future__ import annotations

import ast
import re
import textwrap

from tools.exercises.markers import MARKER, solution
from tools.exercises.pieces import Piece
from tools.exercises.templates import blank_lines, section

__all__ = ["docstring_lines", "fill_in", "from_blank", "rebuild", "returned_after_blank"]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _blank(indent: str) -> list[str]:
    return [indent + line for line in blank_lines()]


def fill_in(definition: str) -> str:
    """Level 1: each marked block becomes its comment lines, then the blank (``# YOUR CODE HERE``, ``raise``)."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for line in definition.splitlines():
        match = MARKER.match(line)
        if match and match.group(1) == "BEGIN":
            block, indent = [], _indent(line)
        elif match and block is not None:
            out += [c for c in block if c.strip().startswith("#")]
            out += _blank(indent)
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    return "\n".join(out)


def _has_docstring(node: ast.ClassDef | ast.FunctionDef) -> bool:
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _header_end(node: ast.ClassDef | ast.FunctionDef) -> int:
    """The last line (1-based) of the signature and docstring of ``node``."""
    first = node.body[0]
    return first.end_lineno if _has_docstring(node) else first.lineno - 1


def _blank_body(lines: list[str], node: ast.FunctionDef, outline: tuple[str, ...] = ()) -> list[str]:
    """Decorators, signature and docstring of ``node``; then ``outline`` and the blank, indented as its body."""
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    indent = " " * node.body[0].col_offset
    return lines[start:_header_end(node)] + [indent + line for line in outline] + _blank(indent)


def docstring_lines(doc: str, indent: str, width: int = 96) -> list[str]:
    """``doc`` as the lines of a triple-quoted docstring at ``indent``.

    The first paragraph (the summary) stays one line, as the lesson writes it; the others are wrapped to
    ``width``, so that with the quotes on top they stay under 100 characters.
    """
    first, *rest = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc.strip())]
    if not rest:
        return [f'{indent}"""{first}"""']
    lines = [f'{indent}"""{first}']
    for paragraph in rest:
        lines += ["", *textwrap.wrap(paragraph, width, initial_indent=indent, subsequent_indent=indent)]
    return [*lines, f'{indent}"""']


def rebuild(definition: str, docstring: str | None = None, outline: tuple[str, ...] = ()) -> str:
    """Level 2: the class or function keeps its signature and docstring; every body is blank.

    A class keeps each method's signature and docstring, each with a blank body. ``docstring``, when
    given, replaces the definition's own (a specification of behaviour instead of the lesson's, which
    may dictate the code). ``outline``: comment lines (each starting with ``#``) that a function's
    blank body keeps above the blank, its structure in words.
    """
    if any(not line.startswith("#") for line in outline):
        raise ValueError(f"an outline is comment lines, each starting with '#': {outline!r}")
    source = solution(definition)
    lines = source.splitlines()
    node = ast.parse(source).body[0]
    if docstring is not None:
        start = node.body[0].lineno - 1  # the first line of the body: the docstring, or the code after the signature
        indent = " " * node.body[0].col_offset
        end = node.body[0].end_lineno if _has_docstring(node) else start
        lines = lines[:start] + docstring_lines(docstring, indent) + lines[end:]
        node = ast.parse("\n".join(lines)).body[0]
    if isinstance(node, ast.FunctionDef):
        return "\n".join(_blank_body(lines, node, outline))
    out = lines[node.lineno - 1: _header_end(node)]
    for member in node.body:
        if isinstance(member, ast.FunctionDef):
            out.append("")
            out += _blank_body(lines, member)
    return "\n".join(out)


def from_blank(piece: Piece) -> str:
    """Level 3: an empty cell, except for a placeholder the check reads as "not attempted"."""
    return section("blanks", f"from-blank:{piece.name}")


def returned_after_blank(code: str) -> str:
    """The name in a ``return name`` line right after a blank's last line (``raise ...``), or ''."""
    last = blank_lines()[1]
    lines = code.splitlines()
    for line, after in zip(lines, lines[1:]):
        match = re.fullmatch(r"\s*return\s+([A-Za-z_]\w*)\s*", after)
        if line.strip() == last and match and _indent(after) == _indent(line):
            return match.group(1)
    return ""
