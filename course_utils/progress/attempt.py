"""One line of the progress file: one check's verdict, as data (no code, nothing personal).

A line is a JSON object: ``{"v": 1, "time": "2026-12-01T09:58:02+00:00", "exercise": "net",
"level": "3", "status": "incorrect", "keys": ["fc1_in_features"]}``. ``exercise`` is the piece
checked (``net``, ``train``, ``test``), ``level`` where it was checked (``lesson``, the exercise
levels ``1``, ``2``, ``3``, or ``all`` for all three from blank), ``keys`` the names of the diagnoses
that fired (the rules of :mod:`course_utils.checks`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["FORMAT", "FROM_BLANK", "LEVELS", "STATUSES", "Attempt", "ForeignLine", "level_name"]

FORMAT = 1
#: Where a check can run: a teaching notebook, an exercise level, or all three pieces from blank.
LEVELS = ("lesson", "1", "2", "3", "all")
#: The verdicts (as in course_utils.checks.result).
STATUSES = ("correct", "incorrect", "not attempted")
#: The levels that rebuild a piece from a blank page (spaced repetition counts these).
FROM_BLANK = ("3", "all")


class ForeignLine(ValueError):
    """A line that is not a progress record of this format (a broken write, or another program's file)."""


def level_name(level: int | str) -> str:
    """``level`` as the file stores it ("lesson", "1", "2", "3" or "all"); a clear ValueError otherwise."""
    name = str(level)
    if name not in LEVELS:
        raise ValueError(
            f"level {level!r} is not a place a check runs: expected one of {', '.join(LEVELS)} "
            f"(an exercise passes its level, e.g. `checks.check_net(Net, level=3)`; a lesson passes none)."
        )
    return name


@dataclass(frozen=True)
class Attempt:
    """One check's verdict: when, which exercise (piece) at which level, the status and the diagnosis keys."""

    time: datetime
    exercise: str
    level: str
    status: str
    keys: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when the check said correct."""
        return self.status == "correct"

    @property
    def attempted(self) -> bool:
        """False for "not attempted" (the blank still raises NotImplementedError)."""
        return self.status != "not attempted"

    @property
    def from_blank(self) -> bool:
        """True for a rebuild from a blank page (level 3, or all three pieces)."""
        return self.level in FROM_BLANK

    def to_line(self) -> str:
        """The JSON line (no newline) the file stores."""
        return json.dumps({
            "v": FORMAT, "time": self.time.isoformat(timespec="seconds"), "exercise": self.exercise,
            "level": self.level, "status": self.status, "keys": list(self.keys),
        })

    @classmethod
    def from_line(cls, line: str) -> Attempt:
        """The attempt a JSON line stores; :class:`ForeignLine` when it is not one of ours."""
        try:
            data: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ForeignLine(f"not JSON ({exc.msg})") from None
        if not isinstance(data, dict) or data.get("v") != FORMAT:
            raise ForeignLine(f"not a progress record of format {FORMAT}")
        try:
            time = datetime.fromisoformat(data["time"])
            keys = data.get("keys", [])
            attempt = cls(time if time.tzinfo else time.replace(tzinfo=timezone.utc), str(data["exercise"]),
                          str(data["level"]), str(data["status"]), tuple(str(k) for k in keys))
        except (KeyError, TypeError, ValueError) as exc:
            raise ForeignLine(f"a field is missing or malformed ({exc})") from None
        if attempt.status not in STATUSES or attempt.level not in LEVELS or not isinstance(keys, list):
            raise ForeignLine(f"unknown status {attempt.status!r} or level {attempt.level!r}")
        return attempt
