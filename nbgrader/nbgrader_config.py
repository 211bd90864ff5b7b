"""nbgrader's configuration for the course's assignments; run every ``nbgrader`` command from this folder.

``make assignments`` writes ``source/<assignment>/`` (generated from the exercises, committed); this file
is not generated. What nbgrader writes here is not committed (``.gitignore``): ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db``. The README's
section on nbgrader gives the commands in order.
"""

import os
import sys

c = get_config()  # noqa: F821 (traitlets defines get_config when it reads this file)

# the course: its id is what the exchange and the formgrader know it by on a JupyterHub
c.CourseDirectory.course_id = "lenet-course"
# the gradebook: an SQLite file in this folder (nbgrader's default, written here so that it is on record)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "gradebook.db")

# nbgrader runs the `alembic` command by name when it creates the gradebook: put the environment's own
# bin/ first on PATH, so that `.venv/bin/nbgrader` works without activating the environment.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

# Autograde runs every notebook in a kernel started by this process, which inherits these variables:
# - the checks record each result in a progress file; the grader's kernels must not write the
#   instructor's (a learner's own runs, in their own kernels, still record theirs);
# - quick mode: the course's sample data and fewer epochs, if anything in a submission trains;
# - PyTorch's waiting threads sleep rather than spin (several kernels on a shared machine).
os.environ["COURSE_PROGRESS"] = "off"
os.environ.setdefault("COURSE_QUICK", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# The kernel: autograde puts the source notebook's kernelspec ("python3") back into every submission,
# whatever kernel a learner's JupyterHub named, and "python3" is the Python that runs nbgrader
# (jupyter_client starts it with sys.executable): run nbgrader from the course's environment
# (`.venv/bin/nbgrader`), where torch and course_utils are installed.

# Seconds a cell may run: the set-up imports torch (seconds on a busy machine); a check takes well under
# a second, so only a learner's endless loop reaches the limit, and the grader goes on with the next cell.
c.Execute.timeout = 120
