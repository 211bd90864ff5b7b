"""``python -m course_utils.grade SUBMISSIONS_DIR``: run every submitted notebook, write grades.csv and the report.

Options: ``--out DIR`` (default ``grades/`` in the current folder; never inside the submissions),
``--timeout SECONDS`` (per cell, 60), ``--jobs N`` (kernels side by side; default: the CPU cores),
``--quiet`` (no line per submission).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "parse_args"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.grade",
                                     description=__doc__.splitlines()[0].replace("``", ""))
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR",
                        help="one folder per learner (<student>/<notebook>.ipynb), or nbgrader's course folder "
                             "(submitted/<student>/<assignment>/<notebook>.ipynb)")
    parser.add_argument("--out", type=Path, default=Path("grades"),
                        help="where grades.csv, report.md and report.html go (default: ./grades)")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds one of the learner's cells may run (default: 60)")
    parser.add_argument("--jobs", type=int, default=None, help="kernels side by side (default: the CPU cores)")
    parser.add_argument("--quiet", action="store_true", help="print only the files written")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder: give the folder that holds one folder per learner")
    if args.timeout < 1 or (args.jobs is not None and args.jobs < 1):
        parser.error("--timeout and --jobs must be at least 1")
    out, inside = args.out.resolve(), args.submissions.resolve()
    if out == inside or inside in out.parents:
        parser.error(f"--out {args.out} is inside the submissions: the grader changes nothing there; "
                     "choose another folder")
    return args


def main(argv: list[str] | None = None) -> int:
    """Grade the folder; 0 when the files are written (bad submissions are rows, not failures), 2 for a bad call."""
    args = parse_args(argv)
    from .batch import Graded, grade_folder
    from .files import write

    def done(graded: Graded, i: int, n: int) -> None:
        if not args.quiet:
            said = ", ".join(f"{r.exercise or '-'} {r.status}" for r in graded.rows)
            print(f"[{i}/{n}] {graded.submission.student}/{graded.submission.name}: {said} "
                  f"({graded.seconds:.1f} s)", file=sys.stderr, flush=True)

    graded = grade_folder(args.submissions, timeout=args.timeout, jobs=args.jobs, done=done)
    if not graded:
        print(f"no submissions found in {args.submissions}", file=sys.stderr)
    rows = [row for g in graded for row in g.rows]
    written = write(rows, args.out, args.submissions.resolve().name)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
