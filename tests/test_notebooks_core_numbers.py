"""Notebooks 01-03: the seed's Net, what its exercises blank, and the numbers the prose states.

nbval runs the notebooks themselves; these tests read their source (no kernel, milliseconds) so
that an edit that breaks the course's contract fails with a clear message.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# The seed's forward body, line by line, as the user's notes (../shared/seed/) write it: the one
# deliberate copy outside the notebooks, kept as the specification that 03's cell must match
# (notebook 03 may add trailing comments).
SEED_FORWARD = [
    "c1 = F.relu(self.conv1(input))",
    "s2 = F.max_pool2d(c1, (2, 2))",
    "c3 = F.relu(self.conv2(s2))",
    "s4 = F.max_pool2d(c3, 2)",
    "s4 = torch.flatten(s4, 1)",
    "f5 = F.relu(self.fc1(s4))",
    "f6 = F.relu(self.fc2(f5))",
    "output = self.fc3(f6)",
]


def _cells(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4).cells


def _net_cell():
    tagged = [c for c in _cells("03_network_module.ipynb") if "exercise:net" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "03_network_module.ipynb must have exactly one cell tagged exercise:net"
    return tagged[0]


def _code(line):
    """The code of a line, without its trailing comment and indentation."""
    return line.split("#", 1)[0].strip()


def test_net_cell_is_tagged_once_in_the_whole_course():
    count = sum(
        "exercise:net" in c.metadata.get("tags", [])
        for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
        for c in nbformat.read(path, as_version=4).cells
    )
    assert count == 1


#: the cells whose metadata says what the exercises blank out: notebook -> tag
EXERCISE_CELLS = {
    "03_network_module.ipynb": "exercise:net",
    "05_training_loop.ipynb": "exercise:train",
    "06_test_loop_and_metrics.ipynb": "exercise:test",
}


def _blank_regions(cell) -> list[tuple[int, int]]:
    """The (first, last) line indices of each region of the cell's metadata ``exercise.blank``.

    Each pair is the stripped text of a region's first and last line: the first line is matched
    after the previous region, the last from the first on; the test fails when a line is missing,
    or the regions overlap or are out of order.
    """
    blank = cell.metadata.get("exercise", {}).get("blank")
    assert isinstance(blank, list) and blank, f"no metadata exercise.blank (a list of [first, last] pairs): {blank!r}"
    stripped = [line.strip() for line in cell.source.splitlines()]
    regions, start = [], 0
    for pair in blank:
        assert isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair), pair
        first, last = pair
        assert first in stripped[start:], f"{first!r} is not a line of the cell after the previous region"
        begin = stripped.index(first, start)
        assert last in stripped[begin:], f"{last!r} is not a line of the cell from {first!r} on"
        regions.append((begin, stripped.index(last, begin)))
        start = regions[-1][1] + 1
    return regions


def test_blank_metadata_covers_exactly_the_seed_forward_lines():
    cell = _net_cell()
    ((begin, end),) = _blank_regions(cell)  # one region: forward's body up to the return
    lines = cell.source.splitlines()
    assert [_code(line) for line in lines[begin : end + 1] if _code(line)] == SEED_FORWARD
    assert lines[end + 1].strip() == "return output"


def test_no_teaching_cell_carries_solution_markers():
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, (
                f"{path.name} cell {index}: lesson cells show only the lesson; what the exercises blank out "
                f"goes in the cell's metadata exercise.blank"
            )


@pytest.mark.parametrize(("name", "tag"), EXERCISE_CELLS.items())
def test_exercise_cells_carry_valid_blank_metadata(name, tag):
    (cell,) = [c for c in _cells(name) if tag in c.metadata.get("tags", [])]
    regions = _blank_regions(cell)
    lines = cell.source.splitlines()
    for begin, end in regions:  # a region is whole statements of one block: it starts and ends at one indentation
        indent = len(lines[begin]) - len(lines[begin].lstrip())
        assert len(lines[end]) - len(lines[end].lstrip()) == indent, (name, lines[begin], lines[end])


def test_net_is_the_seed_network():
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(_net_cell().source, namespace)  # the course's own notebook cell
    Net = namespace["Net"]
    assert Net.__doc__ and "(N, 1, 32, 32)" in Net.__doc__ and "(N, 10)" in Net.__doc__
    net = Net()
    assert [name for name, _ in net.named_children()] == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert sum(p.numel() for p in net.parameters()) == 61706
    torch.manual_seed(0)
    X = torch.randn(2, 1, 32, 32)
    # the generated reference (itself tested against PyTorch's modules in tests/test_reference.py)
    from course_utils import reference

    ref = reference.Net()
    ref.load_state_dict(net.state_dict())
    assert torch.equal(net(X), ref(X))


def test_check_cell_follows_the_net_cell():
    cells = [c for c in _cells("03_network_module.ipynb") if c.cell_type == "code"]
    i = next(k for k, c in enumerate(cells) if "exercise:net" in c.metadata.get("tags", []))
    assert "checks.check_net(Net)" in cells[i + 1].source and "assert result.passed" in cells[i + 1].source


@pytest.mark.parametrize(
    "name, needles",
    [
        ("01_data.ipynb", ["print(f\"black 0.0", "for size in (32, 28)", "steps = ["]),
        ("02_layers.ipynb", ["relu(v)", "max_pool2d(m.reshape", "steps = [", "layers = {", "multiply_adds = {}"]),
        ("03_network_module.ipynb", ["print(net)", "named_parameters()", "gain = math.sqrt", "PlainListNet()"]),
    ],
)
def test_tables_are_nbval_checked(name, needles):
    checked = [c.source for c in _cells(name) if "nbval-check-output" in c.metadata.get("tags", [])]
    for needle in needles:
        assert any(needle in source for source in checked), f"{name}: no cell tagged nbval-check-output has {needle!r}"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_lesson_cells_carry_no_tooling_markers(path):
    """nbval's markers live in cell tags (nbval-check-output, raises-exception), not in the code a learner reads."""
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        assert "# NBVAL_" not in cell.source, f"{path.name} cell {index}: move the NBVAL comment into a cell tag"


def test_parameter_arithmetic_in_the_prose_of_02():
    prose = "\n".join(c.source for c in _cells("02_layers.ipynb") if c.cell_type == "markdown")
    for layer, count in [("conv1", 156), ("conv2", 2416), ("fc1", 48120), ("fc2", 10164), ("fc3", 850)]:
        assert re.search(rf"\| {layer} \|.*\*\*{count:,}\*\*", prose), f"02's parameter table lacks {layer} = {count:,}"
    assert "**61,706**" in prose
    assert 6 * 1 * 5 * 5 + 6 + 16 * 6 * 5 * 5 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10 == 61706


def _mentions_quick(node) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "quick" for n in ast.walk(node))


def _asserts_under_quick_branches(source: str) -> list[int]:
    """Line numbers of asserts inside an `if ...quick...:` block (either branch)."""
    lines = [  # IPython magics become `pass`, at their indentation
        ln[: len(ln) - len(ln.lstrip())] + "pass" if ln.lstrip().startswith(("%", "!")) else ln
        for ln in source.splitlines()
    ]
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.If) and _mentions_quick(node.test):
            for branch in (node.body, node.orelse):
                found += [n.lineno for stmt in branch for n in ast.walk(stmt) if isinstance(n, ast.Assert)]
    return found


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_checks_follow_the_data_not_quick_mode(path):
    """Full mode falls back to the sample when the full set is missing (Colab, a laptop without
    `make data`), so a check of a full-data number must depend on `info.data.is_full`. Quick mode
    only decides how long things run (`pick`, skipping a slow measurement)."""
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "code":
            lines = _asserts_under_quick_branches(cell.source)
            assert not lines, (
                f"{path.name} cell {index}: an assert (line {lines[0]}) depends on quick mode; use "
                f"`if info.data.is_full:` for numbers that hold only on the full set"
            )


def test_the_quick_branch_detector_finds_asserts():
    source = "if not info.quick:\n    assert acc > 0.9\nelse:\n    x = 1\n%timeit f()\n"
    assert _asserts_under_quick_branches(source) == [2]
    assert _asserts_under_quick_branches("if info.data.is_full:\n    assert acc > 0.9\n") == []
