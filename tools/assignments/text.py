"""The words of an assignment notebook: what to do, how it is checked and graded, where to look, submitting.

The specification of each piece is the exercises' own (:func:`tools.exercises.text.spec` at the from-blank
level), so an assignment and its exercise never say different things.
"""

from __future__ import annotations

from tools.assignments.plan import POINTS, Assignment
from tools.exercises import PIECE, Source, markdown_text
from tools.exercises.text import HOW_TO_CHECK

__all__ = ["SUBMIT", "instructions", "title", "where_taught"]

#: nbgrader's stub for a solution region (``ClearSolutions.code_stub``, left at its default)
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")

SUBMIT = (
    "## Before you submit\nRun *Kernel \u2192 Restart Kernel and Run All Cells*: the grader runs your "
    "notebook from the top in a fresh kernel, as this does, so code that only ran in an old kernel does not "
    "count. *Run All* stops at the first cell that raises (a piece not written yet, or a check that is not "
    "*correct*); the grader does not stop there, it runs and scores every check. To see every check at once, use "
    "nbgrader's *Validate* button, which runs the notebook as the grader does and says which checks fail, or run "
    "each check cell on its own. Leave the check cells as they are: the grader runs its own copy of them."
)


def title(assignment: Assignment) -> str:
    """The first cell: the assignment's title and what the learner will be able to do."""
    if len(assignment.pieces) == 1:
        piece = PIECE[assignment.pieces[0]]
        return f"# Assignment \u00b7 {piece.label} from a blank page\n{piece.goal}"
    return ("# Assignment \u00b7 LeNet from a blank page: network, training loop, test loop\n"
            "Write the network, the training loop and the test loop from memory, until each check says "
            "**correct**.")


def where_taught(source: Source) -> str:
    """The notebook and section that teach a piece, as plain text (the assignment folder has no links)."""
    return f"*{source.title} \u2192 {markdown_text(source.heading)}*"


def _what_to_do(assignment: Assignment) -> str:
    symbols = [PIECE[name].symbol for name in assignment.pieces]
    named = [f"`{s}`" for s in symbols]
    things = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    placeholder = ", ".join(f"`{s} = None`" for s in symbols)
    one = len(symbols) == 1
    under = "the cell under *Your turn*" if one else "the cell under each *Your turn*"
    return (f"**What to do.** Nothing is given but the specification. Write {things} from memory in {under}, "
            f"in place of nbgrader's two lines `{STUB[0]}` and `{STUB[1]}`. Keep the "
            f"{'first line' if one else 'first line of each'} ({placeholder}): until your code replaces it, "
            f"the check says *not attempted*.")


def _graded(assignment: Assignment) -> str:
    each = "The check cell" if len(assignment.pieces) == 1 else "Each check cell"
    return (f"**How it is graded.** {each} is also nbgrader's test: {POINTS} points when it says *correct*, "
            f"none otherwise ({assignment.points} in all). When it is not *correct*, the cell prints why and "
            f"ends in an `AssertionError`; the feedback you get back after grading shows the same lines.")


def instructions(assignment: Assignment, sources: dict[str, Source]) -> str:
    """The second cell: what to do, how to check, how it is graded, and where to look when stuck."""
    first, *others = assignment.pieces
    also = f" (`result_{'`, `result_'.join(others)}` for the others)" if others else ""
    taught = "; ".join(where_taught(sources[name]) for name in assignment.pieces)
    stuck = (f"**When stuck.** Run `result_{first}.hint()` in a new cell under its check for a hint{also}; run "
             f"it again for the next one (first the idea, then where it goes, then the line's shape). Or read "
             f"{taught} in the course, then close it and write the code from memory.")
    return "\n\n".join([_what_to_do(assignment), HOW_TO_CHECK, _graded(assignment), stuck])
