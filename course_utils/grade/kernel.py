"""One submission in its own kernel: a temporary folder, the guard, the chosen cells, a time limit per cell.

The folder holds ``work/`` (the kernel's working folder, with a copy of the notebook and ``TMPDIR``)
and ``grader/`` (the progress file the checks record in, and the guard's log). The kernel gets
``COURSE_QUICK=1``, ``COURSE_PROGRESS`` pointing into ``grader/``, the course data prepared by the
grader, one thread for PyTorch (the grader runs several kernels side by side), and no bytecode
files written (they would be writes outside the folder).

Before the learner's cells, the grader's set-up cell imports what an exercise's first cell imports
(PyTorch, torchvision, ``course_utils``: many seconds on a busy machine, which are not the learner's),
binding no name, then installs :func:`course_utils.grade.guard.install`; it has :data:`SETUP_TIMEOUT`.
Each of the learner's cells then has the grader's ``timeout``. After them, the probe of
:mod:`course_utils.grade.capture` reads the checks' messages. What the checks recorded is read back
with :func:`course_utils.progress.read`. Cells are numbered as the learner sees them: from 1 at the
top, Markdown cells included.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from course_utils.progress import Attempt, read

from . import capture, guard
from .notebook import Plan
from .statuses import ERROR, KERNEL_DIED, TIMEOUT

if TYPE_CHECKING:
    from nbclient import NotebookClient

__all__ = ["PRELOAD", "SETUP_TIMEOUT", "Ran", "kernel_env", "run", "setup_source"]

#: what the exercises' first cell imports, imported by the grader's set-up cell (a warm-up: nothing is bound)
PRELOAD = ("torch", "torchvision", "matplotlib.pyplot", "tqdm.auto", "course_utils.env", "course_utils.data",
           "course_utils.checks", "course_utils.progress")
#: seconds the grader's own cells (the set-up, the probe) may take: a busy machine's imports, not the learner's code
SETUP_TIMEOUT = 600
_SETUP = """\
def _grade_setup():
    import importlib
    for name in {preload!r}:
        importlib.import_module(name)
    from course_utils.grade.guard import install
    install({folders!r}, {log!r})
_grade_setup()
del _grade_setup
"""


@dataclass
class Ran:
    """What running a submission gave: the checks' attempts and findings, what went wrong, the refusals."""

    attempts: list[Attempt] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # in words, in the order they happened
    stopped: str = ""  # TIMEOUT, KERNEL_DIED or ERROR when the run ended early or a cell raised; else ""
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0


def kernel_env(work: Path, progress: Path, data: Path) -> dict[str, str]:
    """The environment of a grading kernel (see the module's docstring)."""
    return dict(
        os.environ,
        COURSE_QUICK="1",
        COURSE_PROGRESS=str(progress),
        COURSE_DATA=str(data),
        TMPDIR=str(work / "tmp"),
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TQDM_DISABLE="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )


def setup_source(folders: list[str], log: str) -> str:
    """The grader's set-up cell: the imports of :data:`PRELOAD` (before the guard: they may write caches), the guard."""
    return _SETUP.format(preload=PRELOAD, folders=folders, log=log)


def _first_line(text: str, limit: int = 200) -> str:
    line = (str(text).strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[:limit] + "..."


def _learner_cells(client: NotebookClient, numbers: list[int], timeout: int, ran: Ran) -> bool:
    """Run the learner's cells, between the set-up and the probe; False when the run stopped early.

    ``numbers`` gives each one's number in the submitted notebook.
    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    client.timeout = timeout
    for index, number in enumerate(numbers, start=1):
        try:
            client.execute_cell(client.nb.cells[index], index)
        except CellTimeoutError:
            ran.problems.append(f"cell {number} ran longer than {timeout} s (an endless loop?): the cells after it "
                                "did not run")
            ran.stopped = TIMEOUT
            return False
        except CellExecutionError as exc:
            ran.problems.append(f"cell {number} raised {exc.ename}: {_first_line(exc.evalue)}")
            ran.stopped = ran.stopped or ERROR
    return True


def _grader_cell(client: NotebookClient, index: int) -> str:
    """Run the grader's own cell ``index``; "" when it ran, else what went wrong (its first line)."""
    from nbclient.exceptions import CellControlSignal

    client.timeout = SETUP_TIMEOUT
    try:
        client.execute_cell(client.nb.cells[index], index)
    except CellControlSignal as exc:
        return _first_line(str(exc))
    return ""


#: kernel starts tried before a row says the kernel failed: two kernels started side by side can race for the
#: same free TCP port, and the loser dies before it replies (``Kernel died before replying to kernel_info``)
KERNEL_STARTS = 3


def _execute(nb: nbformat.NotebookNode, numbers: list[int], work: Path, env: dict[str, str], timeout: int,
             ran: Ran) -> None:
    """Run ``nb`` in a fresh kernel (started again if it dies before any cell ran): see :func:`_execute_once`."""
    for _ in range(KERNEL_STARTS):
        if _execute_once(nb, numbers, work, env, timeout, ran):
            return
        ran.problems.clear()
        ran.stopped = ""
    ran.problems.append(f"the kernel failed to start {KERNEL_STARTS} times: none of the cells ran")
    ran.stopped = KERNEL_DIED


def _execute_once(nb: nbformat.NotebookNode, numbers: list[int], work: Path, env: dict[str, str], timeout: int,
                  ran: Ran) -> bool:
    """Run ``nb`` in a fresh kernel: its first cell is the set-up, its last the probe; note in ``ran`` what went wrong.

    ``numbers`` gives the number in the submitted notebook of each cell between them. Returns False when the
    kernel did not start (nothing ran, nothing is noted), True otherwise.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    client = NotebookClient(nb, kernel_name="python3", allow_errors=False, shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(work)}})
    started = False
    try:
        with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):  # its chatter
            started = True
            failed = _grader_cell(client, 0)
            if failed:
                ran.problems.append(f"the grader's set-up failed in the kernel ({failed}): none of the learner's "
                                    "cells ran")
                ran.stopped = ERROR
                return True
            if _learner_cells(client, numbers, timeout, ran) and not _grader_cell(client, len(nb.cells) - 1):
                ran.findings = capture.read(nb.cells[-1].get("outputs", []))
    except DeadKernelError:
        ran.problems.append("the kernel died (a crash, or exit()): the cells after it did not run")
        ran.stopped = KERNEL_DIED
    except Exception as exc:  # a kernel that does not start, a lost connection: say so in the row
        if not started:
            return False
        ran.problems.append(f"the kernel failed: {type(exc).__name__}: {_first_line(str(exc))}")
        ran.stopped = KERNEL_DIED
    return True


def run(nb: nbformat.NotebookNode, raw: bytes, file_name: str, chosen: Plan, *, timeout: int, data: Path) -> Ran:
    """Run the cells ``chosen`` of ``nb`` (the submission, ``raw`` its bytes) in a kernel of its own."""
    ran = Ran()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-grade-", ignore_cleanup_errors=True) as tmp:
        work, grader = Path(tmp) / "work", Path(tmp) / "grader"
        (work / "tmp").mkdir(parents=True)
        grader.mkdir()
        (work / file_name).write_bytes(raw)  # the learner's folder holds their notebook, as it would at home
        progress, log = grader / "progress.jsonl", grader / "refused.jsonl"
        cells = [nbformat.v4.new_code_cell(setup_source([str(work), str(grader)], str(log)))]
        cells += [nb.cells[i] for i in chosen.cells] + [nbformat.v4.new_code_cell(capture.PROBE)]
        run_nb = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
        _execute(run_nb, [i + 1 for i in chosen.cells], work, kernel_env(work, progress, data), timeout, ran)
        ran.attempts = read(progress).attempts if progress.exists() else []
        ran.refused = guard.refusals(log)
    ran.seconds = time.perf_counter() - start
    return ran
