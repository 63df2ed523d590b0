"""What a follow-up is, decided without Django: when it is due, its four parts,
the email they make, and whether it went on time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from rhythm.core.rules import BusinessCalendar
from rhythm.followups.choices import ClockState
from rhythm.meetings.rules import (
    MAX_FOLLOW_UPS_PER_TOPIC,
    STALE_AFTER_DAYS,
    TopicRefusal,
    fiscal_quarter,
    topic_refusal,
)

# The handbook: the follow-up goes within 3 business days of the call, 2 is the aim.
DUE_BUSINESS_DAYS = 3
TARGET_BUSINESS_DAYS = 2

# The handbook's four parts of a follow-up email, in the order the email has them.
PARTS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary of key points"),
    ("action_items", "Action items and next steps"),
    ("resources", "Resources and documentation"),
    ("invitation", "An invitation to ask more"),
)
PART_NAMES = tuple(name for name, _ in PARTS)
PART_LIMIT = 10_000


def part_problems(parts: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Each part that is missing or too long, by its field: what is wrong and its code."""
    problems = {}
    for name, label in PARTS:
        text = (parts.get(name) or "").strip()
        if not text:
            problems[name] = (f"{label} is required: a follow-up has all four parts.", "required")
        elif len(text) > PART_LIMIT:
            problems[name] = (
                f"{label} is at most {PART_LIMIT} characters (it has {len(text)}).",
                "max_length",
            )
    return problems


def subject(meeting_name: str) -> str:
    return f"Follow-up: {meeting_name}"


def body(parts: Mapping[str, str], *, greeting: str, signature: str) -> str:
    """The email's text: a greeting, the four parts under their headings, the CSE's name."""
    sections = [f"{label}\n{'-' * len(label)}\n{parts[name].strip()}" for name, label in PARTS]
    return "\n\n".join([f"Hello {greeting},", *sections, f"Best regards,\n{signature}"]) + "\n"


def greeting(names: list[str]) -> str:
    """Whom the email greets: the contacts' first names ("Grace and Alan")."""
    first = [n.split()[0] for n in names if n.split()] or ["all"]
    return first[0] if len(first) == 1 else ", ".join(first[:-1]) + " and " + first[-1]


def on_time(sent_at: datetime, due_at: datetime) -> bool:
    return sent_at <= due_at


def outcome_note(*, on_time: bool, outcome: str) -> str:
    """What the CTA's "Send the follow-up email" task keeps of it (300 characters)."""
    when = "Follow-up sent on time" if on_time else "Follow-up sent late"
    return (f"{when}: {outcome}" if outcome else f"{when}.")[:300]


# A customer's further question is answered within 1 business day of the CSE who
# held the call.
ANSWER_BUSINESS_DAYS = 1
QUESTION_LIMIT = 5_000


def text_problem(text: str, *, what: str, limit: int = QUESTION_LIMIT) -> tuple[str, str] | None:
    """Why a question's or an answer's text is refused (message, code), or None."""
    text = (text or "").strip()
    if not text:
        return (f"Write the {what}.", "required")
    if len(text) > limit:
        return (f"The {what} is at most {limit} characters (it has {len(text)}).", "max_length")
    return None


# --- Topic rules (DESIGN rule 9) ------------------------------------------------------
# They live with meetings (the calls an engagement is made of), where booking a call
# applies them as a question and a follow-up do.
__all__ = [
    "MAX_FOLLOW_UPS_PER_TOPIC",
    "STALE_AFTER_DAYS",
    "TopicRefusal",
    "fiscal_quarter",
    "topic_refusal",
]


# --- SLA clocks --------------------------------------------------------------------
# A follow-up to send and a further question to answer each run a clock to their due
# time on the CSE's calendar; waiting on the customer pauses it.

PAUSE_REASON_LIMIT = 300


def clock_state(
    calendar: BusinessCalendar,
    *,
    now: datetime,
    due_at: datetime,
    paused: bool,
    soon_hours: float,
) -> ClockState:
    """Where a running clock stands: breached past its due time, due soon when no more
    than `soon_hours` of the CSE's working time are left (a Friday evening's Monday
    morning due time is soon), else on time. A paused clock is paused."""
    if paused:
        return ClockState.PAUSED
    if now > due_at:
        return ClockState.BREACHED
    if calendar.working_time_between(now, due_at) <= timedelta(hours=soon_hours):
        return ClockState.DUE_SOON
    return ClockState.ON_TIME


def resumed_due(
    calendar: BusinessCalendar, *, due_at: datetime, paused_at: datetime, resumed_at: datetime
) -> datetime:
    """The due time after a pause: moved on by the working time the pause took, so the
    time spent waiting on the customer does not count. A pause outside working hours
    (a weekend) moves nothing."""
    paused = calendar.working_time_between(paused_at, resumed_at)
    if not paused:
        return due_at
    return calendar.due_in_working_hours(due_at, paused.total_seconds() / 3600).astimezone(
        due_at.tzinfo
    )


def pause_problem(reason: str, *, paused: bool, done: bool) -> tuple[str, str, str] | None:
    """Why a clock may not be paused (field, message, code), or None."""
    if done:
        return ("clock", "It is done: a clock that stopped cannot be paused.", "done")
    if paused:
        return ("clock", "The clock is already paused.", "paused")
    reason = (reason or "").strip()
    if not reason:
        return ("reason", "Say why the clock waits (what the customer owes us).", "required")
    if len(reason) > PAUSE_REASON_LIMIT:
        return (
            "reason",
            f"The reason is at most {PAUSE_REASON_LIMIT} characters (it has {len(reason)}).",
            "max_length",
        )
    return None


def alert_key(kind: str, item_id: int, alert: str) -> str:
    """The outbox key of one alert about one clock: the same key from two workers
    scanning at once writes one email."""
    return f"clock:{kind}:{item_id}:{alert}"
