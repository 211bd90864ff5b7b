"""The generated navigation is current, and the README's time estimates follow the course's rules.

``make navigation`` writes the prev | contents | next cells and the README's contents table
(with each notebook's time, tools/timing.py). These tests fail when either is stale, and check
the time estimate against hand arithmetic.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tools import navigation, timing
from tools.notebooks import ROOT, read, teaching_notebooks

PATHS = teaching_notebooks()


def test_readme_contents_table_is_current():
    readme = (ROOT / "README.md").read_text()
    section = re.search(
        re.escape(navigation.README_START) + r"\n(.*?)\n" + re.escape(navigation.README_END), readme, re.S
    )
    assert section, "README.md lacks the contents markers"
    assert section.group(1) == navigation.contents_table(PATHS), "README contents are stale: run `make navigation`"


@pytest.mark.parametrize("index", range(len(PATHS)), ids=[p.name for p in PATHS])
def test_navigation_cells_are_current(index):
    cells = [c for c in read(PATHS[index]).cells if c.source.startswith(navigation.MARKER)]
    assert [c.source for c in cells] == [navigation.nav_text(PATHS, index)] * 2, "run `make navigation`"


def _cell(kind: str, source: str, tags=(), seconds: float = 0.0) -> nbformat.NotebookNode:
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source, metadata={"tags": list(tags)})
    if seconds:
        cell.metadata["execution"] = {
            "iopub.execute_input": "2026-01-01T10:00:00.000000Z",
            "shell.execute_reply": f"2026-01-01T10:00:{seconds:09.6f}Z",
        }
    return cell


def test_time_is_words_at_200_a_minute_plus_run_time(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("markdown", "word " * 400),  # 2 minutes of reading
        _cell("code", "x = 1", seconds=30.0),  # 2 words, half a minute of running
        _cell("markdown", "## Optional: more\n" + "word " * 198, tags=["optional"]),  # 200 words: 1 minute
        _cell("markdown", "[< prev](a.ipynb) " * 50, tags=["navigation"]),  # not counted
    ]
    path = tmp_path / "00_demo.ipynb"
    nbformat.write(nb, path)
    result = timing.notebook_time(path)
    assert result.core_minutes == pytest.approx(2 + 2 / 200 + 0.5)
    assert result.whole_minutes == pytest.approx(2 + 2 / 200 + 0.5 + 1)
    assert result.label() == "3 min (whole: 4 min)"


def test_core_path_to_a_trained_lenet_takes_at_most_two_hours():
    """Issue 12's promise: from the start of 00 to a trained LeNet in 05, the core path takes at most 2 hours."""
    core = sum(timing.notebook_time(p).core_minutes for p in PATHS if p.name[:2] <= "05")
    assert core <= 120, f"the core path 00-05 takes {core:.0f} min: mark more depth `Optional:` or shorten it"
