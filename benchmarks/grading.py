"""Part 4: grading a class, ``python -m course_utils.grade`` on synthetic submissions (30 by default), timed.

The class is :data:`benchmarks.submissions.CLASS_OF_30`: correct work, every mistake kind, blanks and
bad files (one loops forever, so one run includes a whole cell timeout). Each repeat runs the command
line itself, in a fresh process, as an instructor would, on the same folder, and its ``grades.csv`` is
compared with the rows every submission should get: a fast run with wrong rows is no result. The
issue's target: under 5 minutes on 2 CPU cores.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

from benchmarks.report import fmt_num, markdown_table, verdict
from benchmarks.stats import median
from benchmarks.submissions import CLASS_OF_30, build, mismatches, read_grades

__all__ = ["TARGET_S", "grading_markdown", "measure_grading"]

ROOT = Path(__file__).resolve().parent.parent
#: the issue's target for 30 submissions on 2 cores, in seconds
TARGET_S = 300.0


def measure_grading(submissions: int = 30, repeats: int = 3, timeout: int = 60, jobs: int | None = None,
                    log: Callable[[str], None] = print) -> dict:
    """Grade ``submissions`` synthetic learners ``repeats`` times; the wall times and how the rows compare."""
    from course_utils.grade.batch import cpu_count

    kinds = list(islice(cycle(CLASS_OF_30), submissions))
    seconds, wrong = [], []
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        folder = Path(tmp) / "submissions"
        expected = build(folder, kinds)
        for repeat in range(repeats):
            out = Path(tmp) / f"grades-{repeat}"
            command = [sys.executable, "-m", "course_utils.grade", str(folder), "--out", str(out), "--timeout",
                       str(timeout), "--quiet"] + (["--jobs", str(jobs)] if jobs else [])
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
            seconds.append(time.perf_counter() - start)
            wrong = mismatches(expected, read_grades(out / "grades.csv"))
            log(f"  repeat {repeat + 1}: {seconds[-1]:.1f} s, " + (f"{len(wrong)} rows wrong" if wrong
                                                                 else f"all {len(expected)} rows as expected"))
    return {"submissions": submissions, "repeats": repeats, "timeout_s": timeout, "jobs": jobs or cpu_count(),
            "kinds": dict(Counter(kinds)), "rows": len(expected), "seconds": seconds, "median_s": median(seconds),
            "mismatches": wrong}


def grading_markdown(result: dict) -> str:
    """The grading section of RESULTS.md."""
    kinds = ", ".join(f"{name} ×{n}" for name, n in result["kinds"].items())
    rows = [[i + 1, fmt_num(s, 1, " s")] for i, s in enumerate(result["seconds"])]
    wrong = result["mismatches"]
    checked = (f"Every one of the {result['rows']} rows was as expected (status, keys, score, what happened)."
               if not wrong else f"{len(wrong)} rows differed from what was expected: " + "; ".join(wrong))
    return "\n".join([
        f"## 4. Grading a class: {result['submissions']} synthetic submissions",
        "",
        f"`python -m course_utils.grade` run {result['repeats']} times on the same folder, in a fresh process each "
        f"time, {result['jobs']} kernels side by side, {result['timeout_s']} s per cell. The class: {kinds}.",
        "",
        markdown_table(["repeat", "wall time"], rows),
        "",
        f"- median: {fmt_num(result['median_s'], 1, ' s')} (target ≤ {TARGET_S:.0f} s on 2 cores: "
        f"{verdict(result['median_s'], TARGET_S, higher_is_better=False)})",
        f"- {checked}",
    ])
