"""Test-suite set-up: quick mode for everything, including the notebooks nbval runs."""

import os

# The course's one switch (read by course_utils.env.quick_mode): the embedded sample and fewer
# epochs. Set here too, so a bare `pytest` behaves like `make test`.
os.environ.setdefault("COURSE_QUICK", "1")
# Figures are drawn off-screen in tests.
os.environ.setdefault("MPLBACKEND", "Agg")
