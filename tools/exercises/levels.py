"""The three levels of an exercise, made from a teaching cell's definition with its regions marked.

The definition is what :func:`~tools.exercises.markers.mark` gives: a marker line before and after each
region that the cell's metadata ``exercise.blank`` names.

1. :func:`fill_in`: each marked region becomes a blank (its comment lines stay, as hints);
2. :func:`rebuild`: every body becomes a blank; signatures and docstrings remain;
3. :func:`from_blank`: nothing but a placeholder.

The blank and the placeholders are the sections of ``tools/exercise_templates/blanks.py``.
"""

from __future__ import annotations

import ast
import re

from tools.exercises.markers import MARKER, solution
from tools.exercises.pieces import Piece
from tools.exercises.templates import blank_lines, section

__all__ = ["fill_in", "from_blank", "rebuild", "returned_after_blank"]


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


def _blank_body(lines: list[str], node: ast.FunctionDef) -> list[str]:
    """Decorators, signature and docstring of ``node``, then the blank at the body's indentation."""
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    return lines[start:_header_end(node)] + _blank(" " * node.body[0].col_offset)


def rebuild(definition: str) -> str:
    """Level 2: the class or function keeps its signature and docstring; every body is blank.

    A class keeps each method's signature and docstring, each with a blank body.
    """
    source = solution(definition)
    lines = source.splitlines()
    node = ast.parse(source).body[0]
    if isinstance(node, ast.FunctionDef):
        return "\n".join(_blank_body(lines, node))
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
