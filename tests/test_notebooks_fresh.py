"""The committed notebooks carry fresh outputs: execution counts 1..n and no stored error.

The pre-commit hook ``python -m tools fresh`` checks the same (tests/test_lint.py tests the hook).
"""

import nbformat
import pytest

from tools.notebooks import teaching_notebooks

NOTEBOOKS = teaching_notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_fresh(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: stored outputs are stale (execution counts {counts}): run `make execute`"
    )
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: a stored output is an error ({errors[0].ename}): fix and run `make execute`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_title_and_first_code_cell_calls_setup(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), path.name
    # a cell tagged "colab" (installs course_utils on Colab, a no-op locally) may come first
    first_code = next(c for c in nb.cells if c.cell_type == "code" and "colab" not in c.metadata.get("tags", []))
    assert "setup(" in first_code.source, f"{path.name}: the first code cell must call setup()"
