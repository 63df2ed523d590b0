"""Pure decisions about meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

SPOT_PREFIX = "CSE: "
# The timeline type the handbook logs every customer meeting under.
TIMELINE_TYPE = "CSE Engagement"


def spot_meeting_name(topic: str, limit: int = 200) -> str:
    """`CSE: <topic>`: the prefix marks a spot engagement on the customer's timeline."""
    topic = " ".join(topic.split())
    if topic.startswith(SPOT_PREFIX):
        topic = topic[len(SPOT_PREFIX) :]
    return (SPOT_PREFIX + topic)[:limit].rstrip()


def runs_the_call(*, meeting_cse_id: int, actor_id: int, is_manager: bool) -> bool:
    """The meeting's CSE logs the call; a manager may stand in."""
    return actor_id == meeting_cse_id or is_manager


def sets_the_time(
    *, meeting_cse_id: int, organiser_id: int | None, actor_id: int, is_manager: bool
) -> bool:
    """The CSM who set the call up with the customer books its time, as its CSE
    (or a manager standing in) may."""
    return actor_id in (meeting_cse_id, organiser_id) or is_manager


DEFAULT_DURATION = 60  # minutes
MAX_DURATION = 8 * 60


def ends_at(starts: datetime, duration_minutes: int) -> datetime:
    return starts + timedelta(minutes=duration_minutes)


def books_the_call(*, cse_id: int | None, actor_id: int, is_manager: bool) -> bool:
    """A meeting for a CTA or a request is booked by the CSE who works it, or a
    manager standing in."""
    return (cse_id is not None and actor_id == cse_id) or is_manager


def item_due_at(starts: datetime | None, due_before_minutes: int) -> datetime | None:
    """When a checklist item is due: so long before the call (None: no time yet)."""
    if starts is None:
        return None
    return starts - timedelta(minutes=due_before_minutes)


def is_prepared(done: list[bool]) -> bool:
    """The call is prepared when every item of its checklist is done."""
    return bool(done) and all(done)


def attendees_line(people: list[str], contacts: list[str]) -> str:
    return ", ".join([*people, *contacts])


def held_entry_body(*, attendees: str, summary: str, outcome: str, notes: str) -> str:
    """The timeline's words for a call that was held: who was there, what was said,
    what came of it."""
    parts = []
    if attendees:
        parts.append(f"**Attendees:** {attendees}")
    if summary:
        parts.append(f"**Summary:** {summary}")
    if outcome:
        parts.append(f"**Outcome:** {outcome}")
    if notes:
        parts.append(notes)
    return "\n\n".join(parts)


# The handbook's meeting workflow: the checklist every meeting starts with, as
# (title, minutes before the call it is due, shows the account's own fields).
DAY = 24 * 60
CHECKLIST = [
    ("Meet the AE for context", 2 * DAY, False),
    ("Tell the AE and add them as an optional attendee", 2 * DAY, False),
    (
        "Research in the CRM and the CS platform: licences, employees, key personas, "
        "industry, contract and last renewal",
        DAY,
        True,
    ),
    ("Company and industry research", DAY, False),
    ("The AE's custom pitch deck from the opportunity", DAY, False),
    ("Notes document with tailored questions", DAY, False),
    ("Slide deck", DAY, False),
    ("Notes and deck filed under the customer's folder", DAY, False),
    ("Video and recording link checked", 60, False),
    ("Quick access to the notes, the deck and the features to show", 15, False),
    ("Join 10–15 minutes early", 15, False),
    ("Confirm the recording, and that the customer knows", 0, False),
    ("Set expectations: short-term help, not permanently aligned", 0, False),
    ("Announce the follow-up in 2–3 business days", 0, False),
]


# --- Topic rules (DESIGN rule 9) ------------------------------------------------------
# Whether more work may be added to an existing engagement, or a new request is due.

STALE_AFTER_DAYS = 28  # four weeks since the last customer contact
MAX_FOLLOW_UPS_PER_TOPIC = 3


@dataclass(frozen=True)
class TopicRefusal:
    code: str
    message: str
    new_request: bool  # whether the answer is "open a new request" (with its link)


def fiscal_quarter(day: date, start_month: int = 2) -> tuple[int, int]:
    """(fiscal year, quarter 1-4) of `day`, the fiscal year starting on the first of
    `start_month` and named by the calendar year it ends in (February 2026 opens
    FY2027 with a February start; January opens the calendar year's own)."""
    if not 1 <= start_month <= 12:
        raise ValueError("A fiscal year starts in a month from 1 to 12.")
    months_in = (day.month - start_month) % 12
    year = day.year + (1 if start_month > 1 and day.month >= start_month else 0)
    return year, months_in // 3 + 1


def topic_refusal(
    *,
    today: date,
    engagement_started: date,
    last_customer_contact: date | None,
    fiscal_start_month: int = 2,
    another_offering: bool = False,
    new_topic: bool = False,
    follow_ups_on_topic: int = 0,
    adds_follow_up: bool = False,
) -> TopicRefusal | None:
    """Why adding to an existing engagement is refused, or None. In this order: another
    catalog offering or a topic marked new, an engagement of a previous fiscal quarter,
    four weeks without a customer contact (each: open a new request), a fourth follow-up
    on one topic."""
    if another_offering:
        return TopicRefusal(
            "another_offering", "Another catalog offering: open a new request.", True
        )
    if new_topic:
        return TopicRefusal("new_topic", "A new topic: open a new request.", True)
    if fiscal_quarter(engagement_started, fiscal_start_month) != fiscal_quarter(
        today, fiscal_start_month
    ):
        return TopicRefusal(
            "previous_quarter",
            "The engagement is from a previous fiscal quarter and is never reopened: "
            "open a new request.",
            True,
        )
    if (
        last_customer_contact is not None
        and (today - last_customer_contact).days > STALE_AFTER_DAYS
    ):
        return TopicRefusal(
            "stale_contact",
            f"More than {STALE_AFTER_DAYS} days since the last customer contact: "
            "open a new request.",
            True,
        )
    if adds_follow_up and follow_ups_on_topic >= MAX_FOLLOW_UPS_PER_TOPIC:
        return TopicRefusal(
            "fourth_follow_up",
            f"A topic has at most {MAX_FOLLOW_UPS_PER_TOPIC} follow-ups: open a new request "
            "for what is left.",
            False,
        )
    return None
