"""``make bench``: the course's speed and accuracy, measured, then reported (repo-only, like :mod:`tools`).

Run it as ``python -m benchmarks`` or ``python benchmarks/bench.py`` (the same command line). The parts:

- :mod:`benchmarks.throughput`: training speed of the course's ``reference.Net`` with
  ``reference.train``, fed by three data paths, interleaved;
- :mod:`benchmarks.notebook_runs`: every notebook's wall time through ``tools.runner`` (the
  runner of ``make execute``), with the results read from the kernel as data;
- :mod:`benchmarks.grading`: ``python -m course_utils.grade`` on a class of synthetic submissions
  (:mod:`benchmarks.submissions`, which ``tests/test_grade.py`` uses too), timed, its rows checked;
- :mod:`benchmarks.report` and :mod:`benchmarks.chart`: ``RESULTS.md`` and its chart, rendered
  from the results data (``RESULTS.json``, written beside them), so they can be rendered again
  without measuring again;
- :mod:`benchmarks.stats` (medians and ratios) and :mod:`benchmarks.machine` (what ran it);
- :mod:`benchmarks.cli`: the command line that ties them together.

Nothing runs at import; torch, nbclient and matplotlib are imported by the parts that need them.
"""

__all__: list[str] = []
