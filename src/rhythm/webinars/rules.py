"""Webinars' decisions, pure: the workflows, the 7-day rule for lab environments,
DRI conflicts, the deck's name, the run-of-show checklist, who may redeem a code and
when reminders are due. Times come in as arguments; nothing here reads a clock."""

from __future__ import annotations

import csv
import hmac
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rhythm.core.rules import Move, Workflow
from rhythm.webinars.choices import RequestStatus, WebinarStatus

# Parties of the workflows (core.rules.Workflow).
PROGRAM_MANAGER = "program_manager"
DRI = "dri"
DEMO_ARCHITECT = "demo_architect"

_PM = frozenset({PROGRAM_MANAGER})
_PM_OR_DRI = frozenset({PROGRAM_MANAGER, DRI})
_DA = frozenset({DEMO_ARCHITECT})

NOT_STARTED = "An event is marked delivered once it has started."


def has_started(starts_at: datetime, now: datetime) -> bool:
    return now >= starts_at


WEBINAR_FLOW = Workflow(
    noun="event",
    moves={
        (WebinarStatus.DRAFT, WebinarStatus.PUBLISHED): Move(
            "publish", _PM, {"host": "An event cannot be published without a DRI (host)."}
        ),
        (WebinarStatus.PUBLISHED, WebinarStatus.DELIVERED): Move(
            "mark delivered", _PM_OR_DRI, {"starts_at": NOT_STARTED}
        ),
        (WebinarStatus.DELIVERED, WebinarStatus.CLOSED): Move("close", _PM),
        (WebinarStatus.DRAFT, WebinarStatus.CANCELLED): Move("cancel", _PM),
        (WebinarStatus.PUBLISHED, WebinarStatus.CANCELLED): Move("cancel", _PM),
    },
    states={s.value: str(s.label) for s in WebinarStatus},
    party_labels={PROGRAM_MANAGER: "a program manager", DRI: "the event's DRI"},
)

REQUEST_FLOW = Workflow(
    noun="environment request",
    moves={
        (RequestStatus.REQUESTED, RequestStatus.IN_PROGRESS): Move("start", _DA),
        (RequestStatus.IN_PROGRESS, RequestStatus.READY): Move(
            "mark ready",
            _DA,
            {
                "production_code": "Enter the production invitation code.",
                "testing_code": "Enter the testing invitation code.",
            },
        ),
        (RequestStatus.READY, RequestStatus.VERIFIED): Move("verify the runners of", _DA),
    },
    states={s.value: str(s.label) for s in RequestStatus},
    party_labels={DEMO_ARCHITECT: "a demo architect"},
)

# Events that take no more registrations or sign-ups.
FINISHED = frozenset({WebinarStatus.CLOSED, WebinarStatus.CANCELLED})

# --- Lab environment requests: the 7-day rule -----------------------------------------


@dataclass(frozen=True)
class RequestTiming:
    days_before: int
    late: bool
    reason_needed: str  # the prompt when late, "" when on time


def request_timing(filed_on: date, delivery_on: date, lead_days: int) -> RequestTiming:
    """A request filed fewer than `lead_days` calendar days before the delivery day is
    late: accepted only with the reason."""
    days_before = (delivery_on - filed_on).days
    if days_before >= lead_days:
        return RequestTiming(days_before, False, "")
    return RequestTiming(
        days_before,
        True,
        f"Filed {days_before} day{'s' if days_before != 1 else ''} before delivery, "
        f"under the {lead_days} required: say why it is late.",
    )


# --- DRI sign-up ------------------------------------------------------------------------


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def host_conflict(
    start: datetime,
    end: datetime,
    hosted: list[tuple[str, datetime, datetime]],
    holidays_on: list[date],
    name: str = "",
) -> str:
    """Why a CSE may not host an event at [start, end): another event they host then,
    or a holiday of theirs on its day; "" when they may. `hosted` is (title, start,
    end) of their other events; `holidays_on` the event's days that are holidays on
    their calendar. Told to the CSE themselves, or, given their `name`, to the
    program manager who assigns them."""
    for title, other_start, other_end in hosted:
        if overlaps(start, end, other_start, other_end):
            who = f"{name} already hosts" if name else "You already host"
            return f"{who} “{title}” at that time."
    if holidays_on:
        whose = f"{name}'s" if name else "your"
        return f"{holidays_on[0]:%d %b %Y} is a holiday on {whose} calendar."
    return ""


# --- Run of show -------------------------------------------------------------------------


def deck_name(lab_name: str, region: str, day: date) -> str:
    """The handbook's `<Lab Name> - <Region> - <Date>`, the date as YYYY-MM-DD."""
    return f"{lab_name} - {region} - {day:%Y-%m-%d}"


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    title: str
    before: timedelta  # due this long before the start


def checklist(deck: str, access_days: int) -> list[ChecklistStep]:
    """The host's preparation for a lab, in the order it is done."""
    return [
        ChecklistStep("copy_deck", f"Copy the master deck as “{deck}”", timedelta(days=7)),
        ChecklistStep("codes", "Change the registration codes in the deck", timedelta(days=2)),
        ChecklistStep(
            "presenter", "Add your name and picture to the presenter slide", timedelta(days=2)
        ),
        ChecklistStep("dry_run", "Run the exercises once end to end", timedelta(days=3)),
        ChecklistStep(
            "paste_notes", "Share the paste-notes document with the Q&A helpers", timedelta(days=1)
        ),
        ChecklistStep(
            "housekeeping",
            "Housekeeping slide: attendees muted, questions in the Q&A panel, an account "
            f"on gitlab.com needed, access for {access_days} days",
            timedelta(days=1),
        ),
        ChecklistStep("early", "Log in 10 minutes before the start", HOST_REMINDER_BEFORE),
    ]


# --- Registration and codes ------------------------------------------------------------


def seat_for(confirmed: int, capacity: int | None) -> bool:
    """Whether one more confirmed registrant gets a seat (no capacity: always)."""
    return capacity is None or confirmed < capacity


def same_code(given: str, stored: str) -> bool:
    """Codes compared in constant time (and without case or surrounding space)."""
    if not stored:
        return False
    return hmac.compare_digest(given.strip().upper().encode(), stored.strip().upper().encode())


# What a refused redemption says when the email, the registration or the code is
# wrong: the same words for each, so the page tells nobody who is registered.
NO_MATCH = "That email and code do not open this lab. Check both and try again."


def redemption_problem(
    *,
    status: str,
    is_lab: bool,
    event_day: date,
    today: date,
    registered: bool,
    code_matches: bool,
    redeemed_before: bool,
) -> str:
    """Why a registrant may not redeem the lab's production code now; "" if they may."""
    if not is_lab:
        return "This event has no lab environment."
    if status in FINISHED:
        return "This lab is closed: its codes no longer work."
    if status == WebinarStatus.DRAFT:
        return NO_MATCH
    if today < event_day:
        return f"The code works from the lab's day, {event_day:%d %b %Y}."
    if not (registered and code_matches):
        return NO_MATCH
    if redeemed_before:
        return "You have redeemed this code already; your access is running."
    return ""


# --- Reminders ---------------------------------------------------------------------------

DAY_BEFORE = timedelta(days=1)
HOUR_BEFORE = timedelta(hours=1)
HOST_REMINDER_BEFORE = timedelta(minutes=10)


def reminder_due(kind: str, starts_at: datetime, now: datetime) -> bool:
    """The day reminder goes from 24 hours to 1 hour before; the hour reminder in the
    last hour; neither once the event has started."""
    if now >= starts_at:
        return False
    if kind == "day":
        return starts_at - DAY_BEFORE <= now < starts_at - HOUR_BEFORE
    if kind == "hour":
        return starts_at - HOUR_BEFORE <= now
    if kind == "host":
        return starts_at - HOST_REMINDER_BEFORE <= now
    raise ValueError(kind)


def parse_attendance_csv(text: str) -> list[str]:
    """The emails in a meeting tool's attendee export: every cell that looks like an
    address, lower-cased, once each, in order (headers and names are skipped)."""
    seen: dict[str, None] = {}
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            cell = cell.strip().lower()
            if "@" in cell and " " not in cell and "." in cell.rsplit("@", 1)[-1]:
                seen.setdefault(cell, None)
    return list(seen)
