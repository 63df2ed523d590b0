"""Pure decisions about office hours."""

from __future__ import annotations

from datetime import time


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def overlaps(start: time, minutes: int, other_start: time, other_minutes: int) -> bool:
    """Whether two sessions on the same weekday share any minute: a CSE holds one
    session at a time, and two at once would split the CSMs who come."""
    begin, other_begin = _minutes(start), _minutes(other_start)
    return begin < other_begin + other_minutes and other_begin < begin + minutes
