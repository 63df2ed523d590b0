"""Pure decisions about community events: no database, no clock, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from rhythm.community.choices import CommunityEventKind, Contribution

NAME_LIMIT = 200
TEXT_LIMIT = 5000
# A community event is logged when it happens or after; a year ahead is the furthest
# a team plans a booth, and anything older than ten years is a typo.
PLAN_AHEAD_DAYS = 366
PAST_YEARS = 10


def event_problems(data: Mapping[str, object], today: date) -> dict[str, tuple[str, str]]:
    """Every field of a community event that breaks a rule: field -> (message, rule)."""
    problems: dict[str, tuple[str, str]] = {}
    name = str(data.get("name") or "")
    if not name:
        problems["name"] = ("Name the event, as its organisers do.", "required")
    elif len(name) > NAME_LIMIT:
        problems["name"] = (f"At most {NAME_LIMIT} characters; this has {len(name)}.", "max_length")
    kind = data.get("kind") or ""
    if kind not in CommunityEventKind.values:
        problems["kind"] = (
            f"Choose one of {', '.join(CommunityEventKind.values)}.",
            "required" if not kind else "invalid_choice",
        )
    contribution = data.get("contribution") or ""
    if contribution not in Contribution.values:
        problems["contribution"] = (
            f"Choose what the CSEs brought: {', '.join(Contribution.values)}.",
            "required" if not contribution else "invalid_choice",
        )
    when = data.get("date")
    if not isinstance(when, date):
        problems["date"] = ("Give the date of the event.", "required")
    elif (when - today).days > PLAN_AHEAD_DAYS:
        problems["date"] = ("At most a year ahead.", "too_far_ahead")
    elif today.year - when.year > PAST_YEARS:
        problems["date"] = (f"At most {PAST_YEARS} years ago.", "too_old")
    for field in ("details", "outcome"):
        text = str(data.get(field) or "")
        if len(text) > TEXT_LIMIT:
            problems[field] = (
                f"At most {TEXT_LIMIT} characters; this has {len(text)}.",
                "max_length",
            )
    if not data.get("contributors"):
        problems["contributors"] = ("Name at least one contributing CSE.", "required")
    return problems


def period_start(day: date, period: str) -> date:
    """The first day of the month, quarter or year `day` falls in."""
    if period == "year":
        return date(day.year, 1, 1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)
