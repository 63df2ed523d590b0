"""Pure decisions about calls to action: names, schedules, due dates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

# `regex` knows Unicode's extended grapheme clusters (\X); `re` does not. A pure
# text library: no I/O, as a rule should be.
import regex

from rhythm.core.rules import (
    ON_TIME,
    Aging,
    BusinessCalendar,
    Move,
    Workflow,
    add_business_days,
    aging,
)
from rhythm.ctas.choices import CtaStatus as S
from rhythm.ctas.choices import TaskStatus

CTA_NAME_SUFFIX = " - Ad-Hoc CSE Engagement Request"
CTA_TYPE = "Digital Journey"
CTA_REASON = "Other Digital Journey Reason"
ONE_OFF_PLAYBOOK = "One-Off CSE Outreach"
DEFAULT_NAME_LIMIT = 80
GRAPHEME = regex.compile(r"\X")

# The seed's platform runs its batch every four hours from 00:30 Pacific time.
RECONCILIATION_ZONE = ZoneInfo("America/Los_Angeles")
RECONCILIATION_HOURS = frozenset({0, 4, 8, 12, 16, 20})
RECONCILIATION_MINUTE = 30


def cta_name(customer_name: str, limit: int = DEFAULT_NAME_LIMIT) -> str:
    """`<Customer Name> - Ad-Hoc CSE Engagement Request`, never longer than `limit`.

    The suffix is what the metrics count on, so it is never cut; the customer name
    is truncated between grapheme clusters (what a reader sees as one character:
    an accent with its letter, a flag, a family emoji) and loses any trailing
    spaces. The limit counts code points, as the database column does.
    """
    if limit <= len(CTA_NAME_SUFFIX):
        raise ValueError(f"A CTA name limit must exceed {len(CTA_NAME_SUFFIX)} characters.")
    room = limit - len(CTA_NAME_SUFFIX)
    name = whole_graphemes(" ".join(customer_name.split()), room).rstrip()
    return f"{name}{CTA_NAME_SUFFIX}"


def whole_graphemes(text: str, room: int) -> str:
    """The longest start of `text` of at most `room` code points that ends between
    two grapheme clusters."""
    if len(text) <= room:
        return text
    kept, used = [], 0
    for cluster in GRAPHEME.findall(text):
        used += len(cluster)
        if used > room:
            break
        kept.append(cluster)
    return "".join(kept)


def is_reconciliation_time(moment: datetime) -> bool:
    """True at 00:30, 04:30, … 20:30 Pacific, whatever the daylight-saving offset.

    `moment` is a UTC datetime; a naive one (as huey passes) is taken as UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(RECONCILIATION_ZONE)
    return local.minute == RECONCILIATION_MINUTE and local.hour in RECONCILIATION_HOURS


def cta_due_offset(steps, default: int) -> int:
    """Business days from raising a CTA to its due date: that of its last task,
    so the CTA is never due before the work it tracks; without a playbook, the
    configured default."""
    return max((step.due_offset_days for step in steps), default=default)


def task_due_date(start: date, offset_business_days: int) -> date:
    return add_business_days(start, offset_business_days)


# A CTA is raised before anyone owns it: its tasks are dated on the plain working
# week, and move onto their owner's calendar when a CSE accepts it.
UNOWNED_CALENDAR = BusinessCalendar()


def owner_due_date(due: date, raised_on: date, owner: BusinessCalendar) -> date:
    """A task's due date moved onto its owner's calendar: as many of the owner's
    business days after the raising as it was dated on the plain working week."""
    offset = UNOWNED_CALENDAR.days_between(raised_on, due)
    return owner.add_days(raised_on, offset)


def is_closing_task(title: str) -> bool:
    """The playbook's "Close…" task: closing the CTA is doing it."""
    return title.startswith("Close")


def is_outreach_task(title: str) -> bool:
    """The playbook's "Reach out…" task: sending the outreach email is doing it."""
    return title.startswith("Reach out")


# The playbook's call tasks, by the start of their title, and the stage of the
# customer meeting that does each: booking it, its checklist done, logging it held.
MEETING_TASKS = {
    "scheduled": "Schedule the call",
    "prepared": "Prepare the call",
    "held": "Hold the call",
}


def is_meeting_task(title: str, stage: str) -> bool:
    """Whether the task is the one a meeting reaching `stage` does."""
    return title.startswith(MEETING_TASKS[stage])


FOLLOW_UP_TASK = "Send the follow-up email"


def is_follow_up_task(title: str) -> bool:
    """The playbook's follow-up task: sending the call's follow-up is doing it."""
    return title.startswith(FOLLOW_UP_TASK)


def greeting_name(full_name: str) -> str:
    """Whom an email greets: a contact by their first name ("Grace" of "Grace
    Hopper"), as a person writes to a person."""
    words = full_name.split()
    return words[0] if words else full_name


def outreach_refusal(
    *,
    has_case: bool,
    opted_out: bool,
    status: str,
    owner_id: int | None,
    actor_id: int,
    is_manager: bool,
) -> tuple[str, str, str] | None:
    """Why this person may not send the CTA's outreach email now, as (field, code,
    message); None if they may.

    The email is the assigned CSE's first (DESIGN rule 4): it goes in the owner's
    name, so it waits for an owner; the owner sends it, or a manager standing in
    for them (as with the tasks). An account owner's opt-out holds whoever asks.
    """
    if not has_case:
        return ("outreach", "no_case", "This CTA tracks a complex engagement: it has no outreach.")
    if opted_out:
        return (
            "outreach",
            "opted_out",
            "The account owner opted out of automatic outreach: no email goes from here.",
        )
    if status == S.CLOSED:
        return ("status", "closed", "The CTA is closed.")
    if owner_id is None:
        message = "Accept the CTA first: the outreach goes in its owner's name."
        return ("owner", "unassigned", message)
    if owner_id != actor_id and not is_manager:
        return ("owner", "not_owner", "Only its owner, or a manager for them, sends the outreach.")
    return None


def close_refusal(
    *,
    owner_id: int | None,
    actor_id: int,
    is_manager: bool,
    follows_request: bool,
    reason: str,
) -> tuple[str, str] | None:
    """Why this person may not close this CTA now, as (field, message); None if they may.

    A CTA that tracks a complex engagement closes with its request, never alone.
    Its owner closes a CTA they work; a manager closes any other, saying why, since
    nobody who did the work is there to tell the account owner what happened.
    """
    if follows_request:
        return (
            "status",
            "This CTA follows its engagement request: complete and close the request, "
            "and the CTA closes with it.",
        )
    if owner_id == actor_id:
        return None
    if not is_manager:
        if owner_id is None:
            return ("owner", "Accept the CTA first: its owner closes it, or a manager.")
        return ("owner", "Only its owner or a manager closes this CTA.")
    if not reason.strip():
        return ("reason", "Say why you close a CTA you do not own: the account owner is told.")
    return None


def works_the_cta(*, owner_id: int | None, actor_id: int, is_manager: bool) -> bool:
    """Its owner ticks a CTA's tasks; a manager may stand in. Nobody else, not even
    before anyone accepted it: accepting is what says who does the work."""
    return owner_id == actor_id or is_manager


# Steps that change places step aside this far first (positions go up to 1000).
STEP_POSITION_ASIDE = 10_000


def step_index(position: int, others: int) -> int:
    """Where in the list a step asked to be at `position` goes, among `others` steps:
    a position past the end puts it last."""
    return min(max(position, 1), others + 1) - 1


# --- The CTA's workflow -------------------------------------------------------


class Party(StrEnum):
    """In which capacity someone acts on a CTA."""

    CSE = "cse"  # a CSE taking it for themselves
    OWNER = "owner"  # the CSE who owns it
    MANAGER = "manager"  # a CSE manager (ctas.assign_cta)
    REQUEST = "request"  # its engagement request, closing with it


WORKFLOW = Workflow(
    noun="CTA",
    moves={
        (S.OPEN, S.IN_PROGRESS): Move("accept", frozenset({Party.CSE, Party.MANAGER})),
        # Taken over: a manager reassigns it, or its owner accepts it again.
        (S.IN_PROGRESS, S.IN_PROGRESS): Move("reassign", frozenset({Party.OWNER, Party.MANAGER})),
        (S.OPEN, S.CLOSED): Move("close", frozenset({Party.OWNER, Party.MANAGER, Party.REQUEST})),
        (S.IN_PROGRESS, S.CLOSED): Move(
            "close", frozenset({Party.OWNER, Party.MANAGER, Party.REQUEST})
        ),
    },
    states=dict(S.choices),
    party_labels={
        Party.CSE: "a CSE",
        Party.OWNER: "its owner",
        Party.MANAGER: "a CSE manager",
        Party.REQUEST: "its engagement request",
    },
)


# --- Aging ----------------------------------------------------------------------

# How a CTA waits in each state, as its aging reason says it ("Unaccepted for 3
# business days; the norm is 1"), and the key of its norm in RHYTHM_AGING_NORMS.
WAITING = {S.OPEN: "Unaccepted", S.IN_PROGRESS: "In progress"}


def norm_key(status: str) -> str:
    return f"cta.{status}"


def cta_aging(
    *,
    status: str,
    raised_on: date,
    accepted_on: date | None,
    due: date | None,
    today: date,
    norms: dict[str, int],
) -> Aging:
    """A CTA not closed is overdue past its due date, and aging when it waited
    unaccepted, or has been in progress since it was accepted, longer than the
    norm for that state."""
    if status not in WAITING:
        return ON_TIME
    entered = raised_on if status == S.OPEN else accepted_on or raised_on
    return aging(
        today=today,
        waiting=WAITING[S(status)],
        entered=entered,
        norm=norms.get(norm_key(status)),
        due=due,
    )


def task_aging(*, status: str, due: date | None, today: date) -> Aging:
    """An open task is overdue past its due date; a done or skipped one never is."""
    if status != TaskStatus.OPEN:
        return ON_TIME
    return aging(today=today, due=due)
