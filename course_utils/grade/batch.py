"""The whole folder: every submission graded in a small pool of workers, each driving one kernel at a time.

The pool has one worker per CPU core (``jobs``): a kernel spends its time in PyTorch on one thread
(see :mod:`.kernel`), so more workers than cores only queue for the CPU. A submission that fails in
any way still gives its rows; the batch never stops for one.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .layout import Submission, find
from .rows import Row, rows, unreadable_row
from .statuses import ERROR

__all__ = ["Graded", "cpu_count", "grade_folder", "grade_one"]


@dataclass(frozen=True)
class Graded:
    """One submission graded: its rows and the seconds it took."""

    submission: Submission
    rows: list[Row]
    seconds: float


def cpu_count() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def grade_one(submission: Submission, timeout: int, data: Path) -> Graded:
    """Read, run and grade one submission (in a worker process)."""
    from . import kernel
    from .notebook import Unreadable, load, plan

    try:
        nb = load(submission)
        chosen = plan(nb)
        ran = kernel.run(nb, submission.path.read_bytes(), submission.path.name, chosen, timeout=timeout, data=data)
    except Unreadable as exc:
        return Graded(submission, [unreadable_row(submission, exc.status, str(exc))], 0.0)
    except Exception as exc:  # the grader's own failure on this file (unreadable, a bug): a row, not a stop
        why = f"the grader failed on this file: {type(exc).__name__}: {exc}"
        return Graded(submission, [unreadable_row(submission, ERROR, why)], 0.0)
    return Graded(submission, rows(submission, chosen, ran), ran.seconds)


def _prepared_data() -> Path:
    """The course data folder, with the sample ready in it, so that the kernels only read it."""
    from course_utils.config import data_root
    from course_utils.data import prepare

    root = data_root()
    prepare(root, quick=True)
    return root


def grade_folder(folder: Path, *, timeout: int = 60, jobs: int | None = None,
                 done: Callable[[Graded, int, int], None] | None = None) -> list[Graded]:
    """Grade every submission under ``folder`` (see :mod:`.layout`); ``done(graded, i, n)`` after each one.

    Returns the submissions in the folder's order (learner, then file).
    """
    found = find(folder)
    if not found:
        return []
    data = _prepared_data()
    workers = max(1, min(jobs or cpu_count(), len(found)))
    results: dict[Submission, Graded] = {}
    context = multiprocessing.get_context("spawn")  # workers start clean: no threads or torch state forked
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(grade_one, s, timeout, data) for s in found]
        for future in as_completed(futures):
            graded = future.result()
            results[graded.submission] = graded
            if done is not None:
                done(graded, len(results), len(found))
    return [results[s] for s in found]
