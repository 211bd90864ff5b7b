"""Each check's result as an attempt: the exercise and level it belongs to, recorded in the progress file.

Every check (``check_net``, ``check_train``, ``check_test``) ends with :func:`finish`. The line it
records (see :mod:`course_utils.progress`) holds the time, the exercise, the level, the status and
the diagnosis keys; no code. Recording never changes the result: a file that cannot be written gives
a warning, and ``COURSE_PROGRESS=off`` records nothing.
"""

from __future__ import annotations

import dataclasses

from course_utils.progress import record
from course_utils.progress.attempt import level_name

from .result import CheckResult

__all__ = ["finish", "level_name"]


def finish(found: CheckResult, exercise: str, level: str) -> CheckResult:
    """``found`` named as ``exercise`` at ``level`` (already checked by :func:`level_name`), and recorded."""
    named = dataclasses.replace(found, exercise=exercise, level=level)
    record(exercise, level, named.status, named.keys)
    return named
