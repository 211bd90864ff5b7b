"""The one notebook runner: ``make execute`` and ``make bench`` both run notebooks through it.

A notebook runs top to bottom in a fresh kernel, in its own folder, with quick mode switched on
or off for that run alone. Afterwards the runner can read named variables out of the kernel as
JSON (``collect``), so a caller gets a notebook's results as data instead of parsing its prose.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

__all__ = ["RESULTS_MARKER", "RunResult", "quick_env", "run_notebook"]

QUICK_ENV = "COURSE_QUICK"  # the course's one switch; course_utils reads it, the runner only sets it
RESULTS_MARKER = "__course_results__"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # the colours of a kernel's traceback

# Run in the notebook's kernel after its last cell: each name -> its JSON value (None if undefined
# or not JSON-able). Kept out of the stored notebook.
_COLLECT_SOURCE = """\
import json as _json
def _course_value(_name):
    _value = globals().get(_name)
    try:
        _json.dumps(_value)
        return _value
    except (TypeError, ValueError):
        return None
print({marker!r} + _json.dumps({{_n: _course_value(_n) for _n in {names!r}}}))
"""


@dataclass
class RunResult:
    """One run of one notebook: the executed notebook, its wall time, status and collected values."""

    path: Path
    nb: nbformat.NotebookNode
    seconds: float
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every cell ran without an error."""
        return self.error is None


@contextmanager
def quick_env(quick: bool) -> Iterator[None]:
    """Set ``COURSE_QUICK`` for the kernels started inside, and restore it afterwards."""
    saved = os.environ.get(QUICK_ENV)
    if quick:
        os.environ[QUICK_ENV] = "1"
    else:
        os.environ.pop(QUICK_ENV, None)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(QUICK_ENV, None)
        else:
            os.environ[QUICK_ENV] = saved


def _read_values(cell: nbformat.NotebookNode) -> dict[str, Any]:
    for output in cell.get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(RESULTS_MARKER):
                return json.loads(line[len(RESULTS_MARKER) :])
    return {}


def _refresh_language_info(client: NotebookClient) -> None:
    """Store the running kernel's ``language_info`` (Python version) in the notebook, as nbclient's execute() does."""
    reply = client.wait_for_reply(client.kc.kernel_info())
    info = (reply or {}).get("content", {}).get("language_info")
    if info:
        client.nb.metadata["language_info"] = info


def run_notebook(
    path: Path,
    *,
    quick: bool,
    timeout: int = 1800,
    store_widget_state: bool = False,
    collect: Sequence[str] = (),
) -> RunResult:
    """Execute ``path`` in a fresh kernel (cwd: its folder); the file itself is not written.

    ``seconds`` runs from the kernel's start to the end of the last cell. A failing cell, a
    timeout or a dead kernel ends the run and is reported in ``error``; the cells after it do not
    run. ``collect`` names variables to read from the kernel afterwards (``values``).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=store_widget_state,
    )
    result = RunResult(path=path, nb=nb, seconds=0.0)
    start = time.perf_counter()
    with quick_env(quick):
        try:
            with client.setup_kernel():
                _refresh_language_info(client)
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                result.seconds = time.perf_counter() - start
                if store_widget_state:
                    client.set_widgets_metadata()
                if collect:
                    probe = nbformat.v4.new_code_cell(
                        _COLLECT_SOURCE.format(marker=RESULTS_MARKER, names=list(collect))
                    )
                    nb.cells.append(probe)  # nbclient writes outputs through nb.cells[index]
                    try:
                        client.execute_cell(probe, len(nb.cells) - 1)
                    finally:
                        nb.cells.pop()
                    result.values = _read_values(probe)
        except Exception as error:  # a failing cell, a timeout, a dead kernel: report it
            lines = _ANSI.sub("", str(error)).strip().splitlines() or [type(error).__name__]
            result.error = f"{type(error).__name__}: {lines[-1][:300]}"
    if not result.seconds:
        result.seconds = time.perf_counter() - start
    return result
