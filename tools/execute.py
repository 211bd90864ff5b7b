"""Execute the teaching notebooks on the full data and store their outputs (``make execute``).

Each notebook runs through :func:`tools.runner.run_notebook` (the runner ``make bench`` uses too):
a fresh kernel in the notebook's folder, quick mode off, so the committed outputs come from the
full data, and the widget state stored, so JupyterLab and the site show the controls; a progress
bar's text fallback (what GitHub shows) is its last frame, not its first. A notebook is
written back only when every cell ran; the first failure stops the run and names the notebook and
the cell::

    python -m tools execute [notebooks/03_network_module.ipynb ...]   # default: every teaching notebook
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat

from tools.notebooks import ROOT, teaching_notebooks, write
from tools.preprocessors import store_final_progress
from tools.runner import RunResult, run_notebook

__all__ = ["NotebookFailed", "execute", "failed_cell", "main"]

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class NotebookFailed(RuntimeError):
    """A notebook did not run to its end; the message names it, the cell and the error."""


def failed_cell(nb: nbformat.NotebookNode) -> int | None:
    """The number (1, 2, ... among code cells) of the first code cell that stored an error output."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            return number
    return None


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def execute(path: Path, timeout: int = 1800) -> RunResult:
    """Run ``path`` top to bottom in a fresh kernel and write it back; raise NotebookFailed if a cell fails."""
    result = run_notebook(path, quick=False, timeout=timeout, store_widget_state=True)
    if not result.ok:
        number = failed_cell(result.nb)
        where = f"code cell {number}" if number else "a cell (or the kernel)"
        error = ANSI.sub("", result.error or "")  # the kernel colours its tracebacks
        raise NotebookFailed(
            f"{_shown(path)}: {where} failed: {error}\n"
            f"the notebook was not written: fix it (open it in JupyterLab and run it top to bottom), "
            f"then run `python -m tools execute {_shown(path)}`"
        )
    store_final_progress(result.nb)  # progress bars stored as they ended, not at 0%
    write(result.nb, path)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools execute", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every teaching notebook)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # waiting threads sleep: see conftest.py
    os.environ.setdefault("COURSE_PROGRESS", "off")  # the lessons' checks do not record in your progress file
    paths = [p.resolve() for p in args.paths] or teaching_notebooks()
    for path in paths:
        print(f"executing {_shown(path)} ...", flush=True)
        try:
            result = execute(path)
        except NotebookFailed as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"  done in {result.seconds:.1f} s", flush=True)
    return 0
