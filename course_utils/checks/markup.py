"""Text as a notebook shows it: backticked code in HTML, and printed output trimmed as a terminal shows it.

Shared by the boxes of :mod:`.result` (a check's verdict) and :mod:`.help` (a hint, a solution).
"""

from __future__ import annotations

import html
import re

__all__ = ["html_inline", "trim"]


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
