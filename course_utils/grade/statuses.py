"""What a grade's row can say: the checks' three verdicts, and what kept a submission from one.

The first three come from the checks (:mod:`course_utils.checks.result`); the others are the
grader's, for a submission that gave no verdict, or one it does not trust (:data:`REFUSED`).
"""

from __future__ import annotations

from course_utils.progress.attempt import STATUSES

__all__ = [
    "BROKEN_JSON",
    "CORRECT",
    "ERROR",
    "INCORRECT",
    "KERNEL_DIED",
    "NOT_A_NOTEBOOK",
    "NOT_ATTEMPTED",
    "NO_CHECK",
    "ORDER",
    "REFUSED",
    "TIMEOUT",
    "VERDICTS",
    "score",
]

#: the checks' verdicts: correct, incorrect, not attempted
VERDICTS = STATUSES
CORRECT, INCORRECT, NOT_ATTEMPTED = STATUSES
NOT_A_NOTEBOOK = "not a notebook"  # not an .ipynb file, or JSON that is not a notebook
BROKEN_JSON = "broken JSON"  # an .ipynb file that is not valid JSON
TIMEOUT = "timeout"  # a cell ran past the time limit before the piece's check
KERNEL_DIED = "kernel died"  # the kernel stopped (a crash, exit()) before the piece's check
ERROR = "error"  # a cell raised, and the piece's check recorded no verdict
NO_CHECK = "no check"  # the notebook ran, but no check of this piece ran
REFUSED = "refused"  # it tried to write outside its folder (or start a process): not graded
#: every status, in the order the report lists them
ORDER = (*VERDICTS, REFUSED, TIMEOUT, ERROR, KERNEL_DIED, NO_CHECK, BROKEN_JSON, NOT_A_NOTEBOOK)


def score(status: str) -> int:
    """1 for correct, 0 for anything else."""
    return int(status == CORRECT)
