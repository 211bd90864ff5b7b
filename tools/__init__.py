"""The course's build tools: repo-only, never imported by a learner's kernel.

One command line, ``python -m tools <command>`` (see :mod:`tools.__main__`); the Makefile's
targets call it. :mod:`tools.notebooks` is the one helper every tool shares: the notebook list,
titles, tagged cells and marked sections of text files.
"""
