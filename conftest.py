"""Test-suite set-up: quick mode for everything, including the notebooks nbval runs."""

import os

# The course's one switch (read by course_utils.env.quick_mode): the embedded sample and fewer
# epochs. Set here too, so a bare `pytest` behaves like `make test`.
os.environ.setdefault("COURSE_QUICK", "1")
# Every check records a line in the learner's progress file (course_utils.progress): tests and the
# notebooks nbval runs record nothing (the progress tests point it at a temporary file of their own).
os.environ.setdefault("COURSE_PROGRESS", "off")
# Figures are drawn off-screen in tests.
os.environ.setdefault("MPLBACKEND", "Agg")
# PyTorch's OpenMP threads spin while they wait for each other; on a small shared machine that
# makes every kernel nbval starts crawl when anything else runs (measured in benchmarks/bench.py:
# 150-200 img/s instead of about 8k under load). PASSIVE makes waiting threads sleep.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
