"""The blanks a learner fills in, as ``# %% <name>`` sections (read by ``tools/exercises/templates.py``).

- ``blank``: what replaces a marked block (level 1, fill in) or a whole body (level 2, rebuild), at
  that block's indentation. Its first line is the comment the learner writes under, its second the
  line they delete; the instructions quote both.
- ``from-blank:<piece>``: the whole answer cell of level 3 (from blank) and of ``all_from_blank``. The
  check reads ``<symbol> = None`` as "not attempted".

Each section is copied as it stands; blank lines at its ends are dropped.
"""

# %% blank
# YOUR CODE HERE
raise NotImplementedError

# %% from-blank:net
# YOUR CODE HERE: write the class Net described above
Net = None  # replace this line with your class Net

# %% from-blank:train
# YOUR CODE HERE: write the function train described above
train = None  # replace this line with your function train

# %% from-blank:test
# YOUR CODE HERE: write the function test described above
test = None  # replace this line with your function test
