"""Notebooks 01-03: the seed's Net, its exercise markers, and the numbers the prose states.

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

# the seed's forward body, line by line (notebook 03 may add trailing comments)
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


def test_solution_markers_wrap_exactly_the_seed_forward_lines():
    lines = _net_cell().source.splitlines()
    begin = [i for i, line in enumerate(lines) if line.strip() == "### BEGIN SOLUTION"]
    end = [i for i, line in enumerate(lines) if line.strip() == "### END SOLUTION"]
    assert len(begin) == len(end) == 1 and begin[0] < end[0]
    body = [_code(line) for line in lines[begin[0] + 1 : end[0]] if _code(line)]
    assert body == SEED_FORWARD
    # the markers are indented like the code they wrap
    indent = len(lines[begin[0] + 1]) - len(lines[begin[0] + 1].lstrip())
    assert lines[begin[0]].startswith(" " * indent + "###") and lines[end[0]].startswith(" " * indent + "###")


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
    # the same computation written with the layers by hand (notebook 02's chain)
    s4 = F.max_pool2d(F.relu(net.conv2(F.max_pool2d(F.relu(net.conv1(X)), 2))), 2)
    expected = net.fc3(F.relu(net.fc2(F.relu(net.fc1(torch.flatten(s4, 1))))))
    assert torch.allclose(net(X), expected)


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
    checked = [c.source for c in _cells(name) if c.cell_type == "code" and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    for needle in needles:
        assert any(needle in source for source in checked), f"{name}: no NBVAL_CHECK_OUTPUT cell contains {needle!r}"


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
