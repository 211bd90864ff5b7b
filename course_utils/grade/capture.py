"""The checks' own words, read from the learner's kernel after their cells: each diagnosis key and its message.

The progress file records a check's diagnosis *keys* only. The report quotes what the check told the
learner, so after the learner's cells the grader runs :data:`PROBE` in the kernel: it finds the
:class:`~course_utils.checks.CheckResult` objects the cells left (in variables, or in IPython's ``Out``
for a check cell whose result was only displayed) and prints, after :data:`MARKER`, each finding's key
and message as JSON. :func:`read` takes them back from the probe cell's output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["MARKER", "PROBE", "findings", "read"]

MARKER = "__course_grade_findings__"
#: The cell the grader runs after the learner's cells (names with a leading underscore: out of the learner's way).
PROBE = (
    "from course_utils.grade.capture import MARKER as _grade_marker, findings as _grade_findings\n"
    "import json as _grade_json\n"
    "print(_grade_marker + _grade_json.dumps(_grade_findings(globals())))\n"
)


def findings(namespace: Mapping[str, Any]) -> list[dict[str, str]]:
    """``{"exercise", "key", "message"}`` for every finding of every check result in ``namespace`` (and its ``Out``)."""
    from course_utils.checks.result import CheckResult
    from course_utils.checks.rules import Finding

    shown = namespace.get("Out")
    values = list(namespace.values()) + (list(shown.values()) if isinstance(shown, dict) else [])
    results = {id(v): v for v in values if isinstance(v, CheckResult)}
    return [
        {"exercise": r.exercise, "key": m.key, "message": str(m)}
        for r in results.values()
        for m in r.messages
        if isinstance(m, Finding)
    ]


def read(outputs: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The findings :data:`PROBE` printed, from its cell's outputs ([] when it printed none)."""
    for output in outputs:
        for line in str(output.get("text", "")).splitlines():
            if line.startswith(MARKER):
                try:
                    found = json.loads(line[len(MARKER):])
                except ValueError:
                    return []
                return [f for f in found if isinstance(f, dict) and {"exercise", "key", "message"} <= set(f)]
    return []
