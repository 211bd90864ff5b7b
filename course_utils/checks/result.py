"""What a check found, and how it shows: plain text, or a coloured box in a notebook.

Every check (``check_net`` in ``03_network_module``, ``check_train`` in ``05_training_loop``,
``check_test`` in ``06_test_loop_and_metrics`` and the exercises) returns a :class:`CheckResult`.
The box is rendered from the templates below, one place to change how feedback looks.
"""

from __future__ import annotations

import html
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from string import Template
from typing import Any

from .help import Hint, next_hint
from .markup import html_inline, trim
from .rules import keys_of

__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "CheckResult",
    "course_copy",
    "function_precheck",
    "not_attempted",
    "result",
]

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"

#: status -> (symbol, border colour, background) of the box
STYLE = {
    CORRECT: ("\u2714", "#2e7d32", "#e8f5e9"),
    INCORRECT: ("\u2718", "#c62828", "#ffebee"),
    NOT_ATTEMPTED: ("\u2026", "#757575", "#f5f5f5"),
}

#: The box a notebook shows: a coloured border, the status, one ITEM per message, then DETAILS (if anything printed).
BOX = Template(
    '<div style="border-left: 6px solid $colour; background: $background; '
    'color: #212121; padding: 0.4em 0.9em; margin: 0.3em 0;">'
    '<b style="color: $colour;">$symbol $name: $status</b>'
    '<ul style="margin: 0.3em 0;">$items</ul>$details$help</div>'
)
ITEM = Template("<li>$message</li>")
DETAILS = Template("<details><summary>what your code printed</summary><pre>$printed</pre></details>")
HELP = Template('<p style="margin: 0.3em 0; color: #616161;">$text</p>')


@dataclass
class CheckResult:
    """What a check found: ``status`` is "correct", "incorrect" or "not attempted".

    ``messages`` explain the status in words (what was expected, what was found, the fix);
    ``output`` is what the learner's code printed while it was checked. ``exercise`` is the piece
    checked (``net``, ``train``, ``test``), ``level`` where (``lesson``, ``1``, ``2``, ``3``, ``all``),
    ``keys`` the names of the diagnoses that fired: what the progress file records. In a notebook
    the result shows as a coloured box; ``str(result)`` gives the same as plain text.
    :meth:`hint` gives one more hint per call.
    """

    name: str
    status: str
    messages: list[str] = field(default_factory=list)
    output: str = ""
    exercise: str = ""
    level: str = "lesson"
    keys: list[str] = field(default_factory=list)
    hints_shown: int = field(default=0, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        """True when the status is "correct"."""
        return self.status == CORRECT

    def hint(self) -> Hint:
        """The next hint, one level more per call: the idea, then where it goes, then the line's shape."""
        found = next_hint(self.name, self.exercise, self.status, self.keys, self.hints_shown)
        self.hints_shown = max(self.hints_shown, found.level)
        return found

    @property
    def help_line(self) -> str:
        """How to ask for help, for a result that is not correct (shown under the messages)."""
        if self.passed or not self.exercise:
            return ""
        return (f"Stuck? `.hint()` on this result gives a hint, one level more per call; "
                f"`checks.solution({self.exercise!r})` shows the course's code.")

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.status}"]
        lines += [f"- {message}" for message in self.messages]
        printed = trim(self.output)
        if printed:
            lines.append("your code printed:")
            lines += [f"    {line}" for line in printed.splitlines()]
        if self.help_line:
            lines.append(self.help_line)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        symbol, colour, background = STYLE.get(self.status, STYLE[NOT_ATTEMPTED])
        printed = trim(self.output)
        return BOX.substitute(
            colour=colour,
            background=background,
            symbol=symbol,
            name=html.escape(self.name),
            status=self.status,
            items="".join(ITEM.substitute(message=html_inline(m)) for m in self.messages),
            details=DETAILS.substitute(printed=html.escape(printed)) if printed else "",
            help=HELP.substitute(text=html_inline(self.help_line)) if self.help_line else "",
        )


def result(name: str, status: str, messages: list[str], output: str = "") -> CheckResult:
    """A :class:`CheckResult` with its own copy of ``messages``; its keys are those of the findings among them."""
    return CheckResult(name, status, list(messages), output, keys=keys_of(messages))


def not_attempted(name: str, what: str, output: str = "") -> CheckResult:
    """The result for code that still raises NotImplementedError (an exercise's blank)."""
    return result(name, NOT_ATTEMPTED, [
        f"{what} still raises NotImplementedError: replace `raise NotImplementedError` with your "
        f"code, run that cell, then run this check again."
    ], output)


def function_precheck(name: str, fn: Callable[..., Any] | None, what: str, signature: str) -> CheckResult | None:
    """The result for a placeholder (``None``: not attempted) or a non-function; None otherwise."""
    if fn is None:
        return result(name, NOT_ATTEMPTED, [
            f"{what} is still None: write your `{signature}` in the cell above "
            f"(in place of `{what} = None`), run it, then run this check again."
        ])
    if not callable(fn):
        return result(name, INCORRECT, [f"{what} should be a function, got {type(fn).__name__}."])
    return course_copy(name, fn, what, signature)


def course_copy(name: str, obj: Any, what: str, signature: str) -> CheckResult | None:
    """The result for the course's own code (imported from ``course_utils``) handed in as the learner's; else None.

    A function, a class or an instance of one counts when it was defined in ``course_utils``
    (``from course_utils.reference import train``): the check would only judge the course's copy.
    """
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or module.partition(".")[0] != "course_utils":
        return None
    source = obj if isinstance(obj, (type, types.FunctionType)) else type(obj)
    return result(name, NOT_ATTEMPTED, [
        f"this {what} is the course's own copy, `{module}.{source.__qualname__}`, imported from course_utils, "
        f"not yours: the check is for the code you write. Write `{signature}` in a cell here (instead of "
        f"importing it), run that cell, then run this check again."
    ])
