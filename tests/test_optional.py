"""Optional depth has one visible convention, and the core path stands without it.

A section whose heading starts with ``Optional:`` is optional depth: its heading cell and every cell
up to the next heading of the same or a higher level carry the cell tag ``optional``, and no other
cell does. The core path (the untagged cells) must not use a name that only optional cells define,
so that a learner who skips the optional sections can still run every core cell.
"""

from __future__ import annotations

import ast
import builtins
import re

import nbformat
import pytest

from tools.notebooks import read, teaching_notebooks

PATHS = teaching_notebooks()
TAG = "optional"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)


def _headings(cell: nbformat.NotebookNode) -> list[tuple[int, str]]:
    if cell.cell_type != "markdown":
        return []
    return [(len(m.group(1)), m.group(2).strip()) for m in HEADING.finditer(cell.source)]


def expected_optional(cells: list[nbformat.NotebookNode]) -> list[bool]:
    """For each cell, whether it lies in an ``Optional:`` section (by the headings alone)."""
    flags, level = [], None  # level: the heading level of the optional section we are in
    for cell in cells:
        for depth, text in _headings(cell):
            if level is not None and depth <= level:
                level = None
            if level is None and text.startswith("Optional:"):
                level = depth
        flags.append(level is not None)
    return flags


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_optional_sections_are_tagged_and_nothing_else_is(path):
    cells = read(path).cells
    for index, (cell, expected) in enumerate(zip(cells, expected_optional(cells))):
        tagged = TAG in cell.metadata.get("tags", [])
        assert tagged == expected, (
            f"{path.name} cell {index}: {'tagged' if tagged else 'not tagged'} {TAG!r}, but it "
            f"{'is' if expected else 'is not'} in a section whose heading starts with 'Optional:'"
        )


def _code(cell: nbformat.NotebookNode) -> ast.Module:
    lines = [  # IPython magics become `pass`, at their indentation
        ln[: len(ln) - len(ln.lstrip())] + "pass" if ln.lstrip().startswith(("%", "!")) else ln
        for ln in cell.source.splitlines()
    ]
    return ast.parse("\n".join(lines))


def _defined(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _used(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def names_only_optional_cells_define(cells: list[nbformat.NotebookNode]) -> dict[int, set[str]]:
    """For each core code cell, the names it uses that only optional cells define."""
    code = [(i, c, TAG in c.metadata.get("tags", [])) for i, c in enumerate(cells) if c.cell_type == "code"]
    core_defined = set(dir(builtins))
    optional_defined: set[str] = set()
    problems = {}
    for index, cell, optional in code:
        tree = _code(cell)
        if optional:
            optional_defined |= _defined(tree)
            continue
        missing = (_used(tree) & optional_defined) - core_defined - _defined(tree)
        if missing:
            problems[index] = missing
        core_defined |= _defined(tree)
    return problems


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_core_path_does_not_need_optional_cells(path):
    problems = names_only_optional_cells_define(read(path).cells)
    assert not problems, f"{path.name}: core cells use names that only optional cells define: {problems}"


def _md(source: str, tags=()) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)})


def _py(source: str, tags=()) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})


def test_section_ends_at_a_heading_of_the_same_or_higher_level():
    cells = [_md("## Core"), _md("## Optional: deep"), _py("x = 1"), _md("### more of it"), _md("## Back"), _py("y")]
    assert expected_optional(cells) == [False, True, True, True, False, False]


def test_a_core_cell_using_an_optional_name_is_found():
    cells = [_py("a = 1"), _py("b = a + 1", tags=[TAG]), _py("print(a, b)"), _py("b = 3"), _py("print(b)")]
    assert names_only_optional_cells_define(cells) == {2: {"b"}}
