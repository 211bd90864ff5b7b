"""What a check found, and how it shows: plain text, or a coloured box in a notebook.

Every check (``check_net`` in ``03_network_module``, ``check_train`` in ``05_training_loop``,
``check_test`` in ``06_test_loop_and_metrics`` and the exercises) returns a :class:`CheckResult`.
The box is rendered from the templates below, one place to change how feedback looks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from string import Template
from typing import Any

__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "CheckResult",
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
    '<ul style="margin: 0.3em 0;">$items</ul>$details</div>'
)
ITEM = Template("<li>$message</li>")
DETAILS = Template("<details><summary>what your code printed</summary><pre>$printed</pre></details>")


@dataclass
class CheckResult:
    """What a check found: ``status`` is "correct", "incorrect" or "not attempted".

    ``messages`` explain the status in words (what was expected, what was found, the fix);
    ``output`` is what the learner's code printed while it was checked. In a notebook the
    result shows as a coloured box; ``str(result)`` gives the same as plain text.
    """

    name: str
    status: str
    messages: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def passed(self) -> bool:
        """True when the status is "correct"."""
        return self.status == CORRECT

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.status}"]
        lines += [f"- {message}" for message in self.messages]
        printed = trim(self.output)
        if printed:
            lines.append("your code printed:")
            lines += [f"    {line}" for line in printed.splitlines()]
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
        )


def html_inline(text: str) -> str:
    """``text`` escaped for HTML, with `backticked` parts shown as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def trim(text: str, max_lines: int = 20) -> str:
    """The printed text as a terminal shows it (progress bars rewrite their line), at most 20 lines."""
    lines = [next((part for part in reversed(line.split("\r")) if part.strip()), "")
             for line in text.replace("\r\n", "\n").rstrip().split("\n")]
    lines = [line for line in lines if line.strip()]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


def result(name: str, status: str, messages: list[str], output: str = "") -> CheckResult:
    """A :class:`CheckResult` with its own copy of ``messages``."""
    return CheckResult(name, status, list(messages), output)


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
    return None
