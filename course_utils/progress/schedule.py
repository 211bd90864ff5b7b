"""When a from-blank rebuild of a piece is due: spaced repetition over the attempts of one exercise.

The intervals are :data:`INTERVALS`: 1, 3, 7 and 14 days after the last correct check. The first
correct check (at any level, a lesson's included) starts the schedule at 1 day. A correct rebuild
from a blank page (level 3, or all three pieces) made once it was due moves on to the next interval;
one made early keeps the interval. A failed check makes the piece due at once, and the correct check
that follows it moves back one interval: a rebuild that needed fixing comes round sooner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .attempt import Attempt

__all__ = ["INTERVALS", "Due", "due"]

#: Days from the last correct check to the next from-blank rebuild, one step further per on-time rebuild.
INTERVALS: tuple[int, ...] = (1, 3, 7, 14)


@dataclass(frozen=True)
class Due:
    """When the next from-blank rebuild is due, and why (in words)."""

    at: datetime
    why: str

    def text(self, now: datetime) -> str:
        """'now' when due, else 'in N days' (or hours), with the date."""
        if self.at <= now:
            return "now"
        left = self.at - now
        if left < timedelta(hours=1):
            return f"within the hour ({self.at:%Y-%m-%d %H:%M})"
        if left < timedelta(days=1):
            hours = max(1, round(left.total_seconds() / 3600))
            return f"in {hours} hour{'s' if hours != 1 else ''} ({self.at:%Y-%m-%d %H:%M})"
        days = left.days + (1 if left.seconds else 0)
        return f"in {days} day{'s' if days != 1 else ''} ({self.at:%Y-%m-%d})"


def due(attempts: Iterable[Attempt]) -> Due | None:
    """The next rebuild of one exercise from its attempts; None before any check that was attempted."""
    step: int | None = None  # index into INTERVALS, None before the first correct check
    last_correct: datetime | None = None
    failed_at: datetime | None = None  # the first failed check since the last correct one
    for a in sorted((a for a in attempts if a.attempted), key=lambda a: a.time):
        if not a.passed:
            failed_at = failed_at or a.time
            continue
        if step is None:
            step = 0
        elif failed_at is not None:
            step = max(step - 1, 0)
        elif a.from_blank and a.time >= last_correct + timedelta(days=INTERVALS[step]):
            step = min(step + 1, len(INTERVALS) - 1)
        last_correct, failed_at = a.time, None
    if failed_at is not None:
        why = "not yet correct" if step is None else "the last check failed"
        return Due(failed_at, why)
    if step is None or last_correct is None:
        return None
    days = INTERVALS[step]
    return Due(last_correct + timedelta(days=days), f"{days} day{'s' if days != 1 else ''} after the last correct one")
