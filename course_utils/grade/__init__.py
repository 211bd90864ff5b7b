"""A class report from submitted exercise notebooks, no nbgrader needed: ``python -m course_utils.grade DIR``.

For the instructor who sets the exercises of ``notebooks/exercises/`` as homework. Every submitted
notebook runs in a kernel of its own, and the checks in it say what each learner got right or wrong,
as they said it to the learner; the grader collects them::

    python -m course_utils.grade submissions/ --out grades/
    # grades/grades.csv    student, exercise, level, status, score, keys, notebook, problem
    # grades/report.md     each piece: how many learners got it right; the most common mistakes, in the
    # grades/report.html   checks' own words; the submissions that could not be graded, and why

How a notebook runs, and why:

- **A kernel each, in a temporary folder.** The submission is copied into the folder and never
  written where it lies. The kernel runs in quick mode (``COURSE_QUICK=1``) and its checks record in a
  progress file of that folder (``COURSE_PROGRESS``), which the grader reads back: the exercise, level,
  status and diagnosis keys come from what the checks recorded, not from the file's name.
- **Only the cells up to the last check.** The code cells run in order up to and including the last
  check cell (tagged ``check``, or calling a check). The ``try-it`` cells are left out: they train on
  the sample (seconds to a minute each, 30 to 300 times over) and prove nothing the check has not
  already judged; so is the ``progress`` cell (the learner's own table). Cells after the last check
  are the learner's own experiments.
- **A time limit per cell** (``--timeout``, 60 s; a check takes well under one). It times the learner's
  cells only: the grader's own set-up cell first imports what the exercise imports (PyTorch,
  ``course_utils``: seconds, or a minute on a busy machine) under a limit of its own. A cell past the
  limit ends the run: the row says which cell (counted from the top, Markdown cells included).
- **A guard against writes outside the folder** (:mod:`.guard`): an audit hook, installed in the
  kernel before the learner's cells, refuses to change a file outside the temporary folder, or to
  start a process, and names the path. Such a submission is not graded (status ``refused``). It guards
  against accidents, not against a learner set on cheating (who could also record a verdict by hand):
  a check's *correct* is feedback, and for a grade the submitted cells are worth reading.
- **Bad input is a row, never a stop**: a file that is not a notebook, broken JSON, a timeout, a cell
  that raises, a dead kernel. A pool of workers (one per CPU core) runs the kernels side by side.

The modules, one job each: :mod:`.layout` (the folders), :mod:`.notebook` (reading a submission, the
cells to run), :mod:`.guard` and :mod:`.capture` (what runs inside the kernel: the guard, and the
checks' messages read back), :mod:`.kernel` (one run), :mod:`.statuses`, :mod:`.rows` (a submission's
rows), :mod:`.batch` (the pool), :mod:`.diagnoses` (the rules' descriptions), :mod:`.summary` (the
class in numbers), :mod:`.render` (Markdown and HTML), :mod:`.files` (the three files). The command
line is ``__main__``. It needs ``nbclient`` and ``nbformat`` (``requirements.txt``), which a learner's
install of ``course_utils`` alone does not bring.
"""

from .batch import Graded, grade_folder
from .files import FILES, write
from .rows import COLUMNS, Row
from .summary import ClassSummary, summarise

__all__ = ["COLUMNS", "FILES", "ClassSummary", "Graded", "Row", "grade_folder", "summarise", "write"]
