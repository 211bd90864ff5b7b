"""The code cells of an nbgrader assignment, as ``# %% <name>`` sections: a template, read as text, never imported.

Read by :mod:`tools.assignments.build`, in the percent format of ``tools/exercise_templates/``:

- ``setup``: the set-up cell; of its plain imports, and the teaching notebooks', the generator keeps
  those that the course's solutions and ``may-use`` use; the ``course_utils`` lines stay as they are;
- ``may-use``: never copied: what a from-blank answer may need, so that the set-up imports it;
- ``answer:<piece>``: the first line of an answer cell, above the solution region (nbgrader's stub,
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()``, takes the region's place);
- ``check:<piece>``: the graded test cell (the generator writes the assignment's level in place of ``level=3``).
"""

# notebook cells: imports follow the cells before them (E402), the set-up's imports are candidates, not all
# used by every assignment (F401), and may-use only names what it uses (B018)
# ruff: noqa: B018, E402, F401

# %% setup
# set-up: imports, seed, device (as in the teaching notebooks)
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils import checks, setup

info = setup(seed=0)
device = info.device

# %% may-use
# what a from-blank answer may need beyond what the course's solutions use: the set-up imports it too
torch, nn, F

# %% answer:net
Net = None  # until your class Net replaces this line, the check says "not attempted": write it below

# %% answer:train
train = None  # until your function train replaces this line, the check says "not attempted": write it below

# %% answer:test
test = None  # until your function test replaces this line, the check says "not attempted": write it below

# %% check:net
# graded: the check's verdict, printed (the feedback shows it), then the cell fails unless it says correct
result_net = checks.check_net(Net, level=3)
print(result_net)
assert result_net.passed, f"the check of Net says {result_net.status}: the lines above say why"

# %% check:train
# graded: the check's verdict, printed (the feedback shows it), then the cell fails unless it says correct
result_train = checks.check_train(train, level=3)
print(result_train)
assert result_train.passed, f"the check of train says {result_train.status}: the lines above say why"

# %% check:test
# graded: the check's verdict, printed (the feedback shows it), then the cell fails unless it says correct
result_test = checks.check_test(test, level=3)
print(result_test)
assert result_test.passed, f"the check of test says {result_test.status}: the lines above say why"
