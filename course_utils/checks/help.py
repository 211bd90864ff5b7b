"""Help on request: a hint (``result.hint()``) and the course's code (``checks.solution("train")``).

Both are data rendered by the templates below, as plain text (a terminal, the site, nbval runs)
and as HTML (JupyterLab). The solution is read from :mod:`course_utils.reference`, the one generated
copy of the code the notebooks teach (03, 05, 06), so it is always the code the course runs.
"""

from __future__ import annotations

import html
import inspect
from dataclasses import dataclass
from string import Template

from .ladders import ladder
from .markup import html_inline

__all__ = ["PIECES", "Hint", "Solution", "next_hint", "solution"]

#: piece -> the name it has in course_utils.reference, and the notebook that teaches it
PIECES = {"net": ("Net", "03_network_module"), "train": ("train", "05_training_loop"),
          "test": ("test", "06_test_loop_and_metrics")}
#: notebook -> its title, as the learner sees it at its top
TITLES = {"03_network_module": "03 \u00b7 The network as an nn.Module",
          "05_training_loop": "05 \u00b7 The training loop",
          "06_test_loop_and_metrics": "06 \u00b7 The test loop and metrics"}
LEVEL_WORDS = ("the idea", "where it goes", "the line's shape")

HINT_BOX = Template(
    '<div style="border-left: 6px solid #f9a825; background: #fffde7; color: #212121; '
    'padding: 0.4em 0.9em; margin: 0.3em 0;"><b>$title</b><p style="margin: 0.3em 0;">$text</p>'
    '<p style="margin: 0.3em 0; color: #616161;">$after</p></div>'
)
SOLUTION_BOX = Template(
    '<div style="border-left: 6px solid #1565c0; background: #e3f2fd; color: #212121; '
    'padding: 0.4em 0.9em; margin: 0.3em 0;"><b>$title</b><p style="margin: 0.3em 0;">$advice</p>'
    '<pre style="margin: 0.3em 0;">$code</pre></div>'
)
ADVICE = ("Looking is fine, if you then close it and rebuild this from a blank page tomorrow: "
          "that is what makes it stick.")


@dataclass(frozen=True)
class Hint:
    """One hint for a check's result: ``level`` of ``count`` (1 = the idea, 2 = where, 3 = the line's shape)."""

    name: str  # the check, e.g. "check_net(Net)"
    level: int
    count: int
    text: str
    after: str  # what to do next: run hint() again, or ask for the solution

    @property
    def title(self) -> str:
        """'hint 2 of 3 for check_net(Net): where it goes' (or just the check's name when there is no ladder)."""
        if not self.level:
            return f"hint for {self.name}"
        return f"hint {self.level} of {self.count} for {self.name}: {LEVEL_WORDS[self.level - 1]}"

    def __str__(self) -> str:
        return "\n".join(line for line in (self.title, self.text, self.after) if line)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return HINT_BOX.substitute(title=html.escape(self.title), text=html_inline(self.text),
                                   after=html_inline(self.after))


@dataclass(frozen=True)
class Solution:
    """The course's code for one piece, with the advice to rebuild it from blank tomorrow."""

    piece: str
    notebook: str
    code: str

    @property
    def title(self) -> str:
        """'the course's train, as 05 · The training loop teaches it'."""
        return f"the course's {PIECES[self.piece][0]}, as {TITLES.get(self.notebook, self.notebook)} teaches it"

    def __str__(self) -> str:
        return f"{self.title}\n{ADVICE}\n\n{self.code}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return SOLUTION_BOX.substitute(title=html.escape(self.title), advice=html.escape(ADVICE),
                                       code=html.escape(self.code))


def solution(piece: str) -> Solution:
    """The course's code for ``piece`` ("net", "train" or "test"), from :mod:`course_utils.reference`."""
    if piece not in PIECES:
        raise ValueError(
            f"checks.solution({piece!r}): expected one of {', '.join(repr(p) for p in PIECES)}, the piece an "
            f"exercise rebuilds; for example checks.solution('train')."
        )
    from course_utils import reference

    name, notebook = PIECES[piece]
    return Solution(piece, notebook, inspect.getsource(getattr(reference, name)).rstrip())


def next_hint(name: str, exercise: str, status: str, keys: list[str], shown: int) -> Hint:
    """The hint that follows ``shown`` hints for a result: one level further, up to the ladder's last."""
    if status == "correct":
        return Hint(name, 0, 0, "The check says correct: no hint needed.",
                    "Rebuild it from a blank page tomorrow; `progress.show()` (course_utils.progress) says when.")
    steps = ladder(exercise, keys)
    if steps is None:
        return Hint(name, 0, 0, "Read the check's messages: each says what was found, and the fix.", "")
    level = min(shown + 1, len(steps))
    if level < len(steps):
        after = f"Call `.hint()` on the result again for the next hint: {LEVEL_WORDS[level]}."
    else:
        after = (f"That was the last hint. `checks.solution({exercise!r})` shows the course's code: look, "
                 f"then write it yourself.")
    return Hint(name, level, len(steps), steps[level - 1], after)
