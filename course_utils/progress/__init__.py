"""Progress that remembers: every check's verdict in a local file, and when to rebuild from blank.

Every check of :mod:`course_utils.checks` (in a lesson or an exercise) appends one line to the
progress file: the time, the exercise (``net``, ``train``, ``test``), the level, the status and the
diagnosis keys; no code and nothing personal. The file lives in the user's data folder
(``COURSE_PROGRESS`` overrides its path; ``COURSE_PROGRESS=off`` records nothing). Shown by
``python -m course_utils.progress`` and, in a notebook, by :func:`show` (introduced in
``00_start_here``, and at the end of each exercise)::

    from course_utils import progress
    progress.show()   # attempts, passes, time to correct, recurring mistakes, what is due; a timeline

The modules, one job each: :mod:`.attempt` (a line of the file), :mod:`.store` (the file: path,
lock, append, safe reading), :mod:`.schedule` (spaced repetition: 1, 3, 7, 14 days),
:mod:`.summary` (the numbers per exercise), :mod:`.timeline` (the figure), :mod:`.report` (the
table as text and HTML, and :func:`show`).
"""

from .attempt import Attempt
from .report import Report, report, show
from .schedule import INTERVALS, Due, due
from .store import ENV, Progress, ProgressWarning, progress_path, read, record
from .summary import Row, summarise

__all__ = [
    "ENV",
    "INTERVALS",
    "Attempt",
    "Due",
    "Progress",
    "ProgressWarning",
    "Report",
    "Row",
    "due",
    "progress_path",
    "read",
    "record",
    "report",
    "show",
    "summarise",
]
