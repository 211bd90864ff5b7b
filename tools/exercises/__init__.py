"""Generate the exercise notebooks in ``notebooks/exercises/`` from the teaching notebooks.

``make exercises`` runs ``python -m tools exercises`` (:func:`main`). The teaching notebooks are the
single source: the cell that defines the network (``03_network_module``), the training loop
(``05_training_loop``) or the test loop (``06_test_loop_and_metrics``) carries the tag
``exercise:net``, ``exercise:train`` or ``exercise:test``. The cell shows only the lesson: its
metadata names the key lines the exercises blank out, ``"exercise": {"blank": [[first, last], ...]}``,
the exact stripped text of the first and last line of each region (:mod:`~tools.exercises.markers`).
From each, three notebooks are written:

1. ``<piece>_1_fill_in``: the lines of each region are replaced by ``# YOUR CODE HERE`` and
   ``raise NotImplementedError`` (the region's comment lines stay, as hints);
2. ``<piece>_2_rebuild``: the whole body is blank; the signature and docstring remain (for the
   class, the signature and docstring of each method too). A docstring that dictates the code (the
   network's lists every constructor call) gives way to the piece's specification of behaviour
   (:attr:`Piece.level_2_doc`);
3. ``<piece>_3_from_blank``: only the heading, a short specification (the docstring's first
   paragraph and the shapes in and out) and the check remain;

plus ``all_from_blank``: the three pieces from a blank page, then real training on the quick
data (the 6,000-image sample). Every level states every behaviour its check enforces
(:attr:`Piece.requires`: ``model.train()`` and why, ``model.eval()``, ``no_grad``, what ``test``
returns...). The exercises on ``train`` and ``test`` are given the network, those on ``test`` the
training loop too, so that their last cell trains for one epoch before it measures. Every notebook
opens with what to do, how to check (the ``course_utils.checks`` cells), how to ask for a hint, and
a link to the teaching notebook's section for when you are stuck. The output is deterministic
(fixed cell ids, no outputs) and committed; a test fails when it differs from what this package
produces. ``--check`` compares without writing.

The other code the exercises contain (set-up, check and "try it" cells, the blanks) is in the
linted templates of ``tools/exercise_templates/``. The modules, in the order they build on each
other: :mod:`~tools.exercises.markers` (the blank contract), :mod:`~tools.exercises.templates`,
:mod:`~tools.exercises.pieces` (the three pieces and levels, in words), :mod:`~tools.exercises.levels`
(fill in, rebuild, from blank), :mod:`~tools.exercises.sources` (reading the teaching notebooks),
:mod:`~tools.exercises.text` (the words of a notebook), :mod:`~tools.exercises.build` (the notebooks)
and :mod:`~tools.exercises.cli` (writing them, the command line).
"""

from __future__ import annotations

from tools.exercises.build import build
from tools.exercises.cli import main, stale, text_of, write
from tools.exercises.levels import fill_in, from_blank, rebuild
from tools.exercises.markers import ExerciseError, solution
from tools.exercises.pieces import ALL_NAME, LEVELS, PIECE, PIECES, Piece
from tools.exercises.sources import Source, anchor, find_sources, markdown_text
from tools.exercises.text import prose

__all__ = [
    "ALL_NAME",
    "LEVELS",
    "PIECE",
    "PIECES",
    "ExerciseError",
    "Piece",
    "Source",
    "anchor",
    "build",
    "fill_in",
    "find_sources",
    "from_blank",
    "main",
    "markdown_text",
    "prose",
    "rebuild",
    "solution",
    "stale",
    "text_of",
    "write",
]
