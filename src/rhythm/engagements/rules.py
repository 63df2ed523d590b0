"""The review workflow and capacity planning as pure decisions.

No database, no clock: callers pass the facts (and `now`) in and get a verdict
with its reasons back, so the UI and the API can explain every refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from rhythm.core.rules import ON_TIME, Aging, Move, Verdict, Workflow, aging
from rhythm.core.rules import time_in_states as workflow_time_in_states
from rhythm.engagements.choices import RequestState as S


class Party(StrEnum):
    """Who may make a move: a capacity in the request, not a job title alone."""

    MANAGER = "manager"  # a CSE manager
    REQUESTER = "requester"  # the CSM who filed it, or the account's CSM
    ASSIGNED_CSE = "assigned_cse"


# What the button for each move says.
MOVE_LABELS = {
    "ask": "Ask the CSM",
    "answer": "Answer",
    "reject": "Reject",
    "qualify": "Qualify and assign",
    "complete": "Mark complete",
    "close": "Close",
    "withdraw": "Withdraw",
}

# What a move that needs a reason asks for, in the words of the form.
REASON_PROMPTS = {
    "ask": "Write the question for the CSM.",
    "answer": "Write the answer to the manager's question.",
    "reject": "Say why the request is rejected.",
    "withdraw": "Say why you withdraw the request.",
}
_REASON_CODE = {"reason_code": "Choose a rejection reason."}
_CSE = {"cse": "Choose the CSE who will run the engagement."}


def _move(action: str, *parties: Party, needs: dict[str, str] | None = None) -> Move:
    return Move(action, frozenset(parties), needs or {}, MOVE_LABELS[action])


def _reason(action: str) -> dict[str, str]:
    return {"reason": REASON_PROMPTS[action]}


M, R, C = Party.MANAGER, Party.REQUESTER, Party.ASSIGNED_CSE

# The handbook's diagram. Anything not listed here is refused.
TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.REVIEW, S.CLARIFICATION): _move("ask", M, needs=_reason("ask")),
    (S.CLARIFICATION, S.REVIEW): _move("answer", R, needs=_reason("answer")),
    (S.REVIEW, S.REJECTED): _move("reject", M, needs={**_REASON_CODE, **_reason("reject")}),
    (S.REJECTED, S.CLOSED): _move("close", M, R),
    (S.REVIEW, S.STARTED): _move("qualify", M, needs=_CSE),
    (S.STARTED, S.COMPLETE): _move("complete", C),
    (S.COMPLETE, S.CLOSED): _move("close", M, C),
    (S.REVIEW, S.CLOSED): _move("withdraw", R, needs=_reason("withdraw")),
    (S.CLARIFICATION, S.CLOSED): _move("withdraw", R, needs=_reason("withdraw")),
}

PARTY_LABELS: dict[str, str] = {
    Party.MANAGER: "a CSE manager",
    Party.REQUESTER: "the requesting CSM",
    Party.ASSIGNED_CSE: "the assigned CSE",
}

WORKFLOW = Workflow(
    noun="request", moves=TRANSITIONS, states=dict(S.choices), party_labels=PARTY_LABELS
)

# A request plans work a team can see coming: its start is at most two years out.
MAX_DAYS_AHEAD = 730

# Who hears of a move by email: whoever acts next, and the CSM whose request it is.
# MANAGER here is the manager who last acted on it: who asked the question being
# answered, or who qualified the engagement now complete. Filing tells every CSE
# manager. The person who made the move is never told of it.
NOTIFIED: dict[tuple[S, S], tuple[Party, ...]] = {
    (S.REVIEW, S.CLARIFICATION): (Party.REQUESTER,),
    (S.CLARIFICATION, S.REVIEW): (Party.MANAGER,),
    (S.REVIEW, S.REJECTED): (Party.REQUESTER,),
    (S.REVIEW, S.STARTED): (Party.ASSIGNED_CSE, Party.REQUESTER),
    (S.STARTED, S.COMPLETE): (Party.REQUESTER, Party.MANAGER),
    (S.COMPLETE, S.CLOSED): (Party.REQUESTER, Party.ASSIGNED_CSE),
    (S.CLARIFICATION, S.CLOSED): (Party.MANAGER,),
}

# Moves of a request no manager has taken up yet: every CSE manager hears of them,
# as of its filing (the review queue changes).
EVERY_MANAGER_HEARS: frozenset[tuple[S, S]] = frozenset({(S.REVIEW, S.CLOSED)})


def moves_from(state: S) -> list[tuple[str, Move]]:
    return WORKFLOW.moves_from(state)


def check_transition(
    current: S,
    target: S,
    parties: set[Party],
    *,
    reason: str = "",
    reason_code: str = "",
    has_cse: bool = False,
) -> Verdict:
    given = {"reason": reason, "reason_code": reason_code, "cse": "chosen" if has_cse else ""}
    return WORKFLOW.check(current, target, set(parties), given)


def time_in_states(changes: list[tuple[S, datetime]], now: datetime) -> dict[str, timedelta]:
    """Total time spent in each state, from the (to_state, at) rows in order."""
    return workflow_time_in_states(changes, now)


# --- Capacity -----------------------------------------------------------------


HOURS = Decimal("0.1")


@dataclass(frozen=True)
class Engagement:
    """A started engagement's footprint on its CSE's weeks."""

    start: date
    weeks: int  # a one-off counts as one week
    hours_per_week: Decimal


def weekly_load(
    engagements: list[Engagement],
    *,
    open_ctas: int,
    cta_hours: Decimal,
    first_week: date,
    weeks: int = 8,
    today: date | None = None,
) -> list[Decimal]:
    """Planned hours for each of `weeks` weeks from the Monday of `first_week`.

    An engagement whose start has passed still runs its full length from this
    week (the Monday of `today`, which defaults to `first_week`). Open CTAs are
    short: they weigh on this week and the next only.
    """
    monday = first_week - timedelta(days=first_week.weekday())
    today = today or first_week
    this_monday = today - timedelta(days=today.weekday())
    cta_weeks_end = this_monday + timedelta(weeks=2)
    loads = []
    for index in range(weeks):
        week_start = monday + timedelta(weeks=index)
        week_end = week_start + timedelta(days=7)
        hours = Decimal(0)
        for e in engagements:
            start = max(e.start, this_monday)
            end = start + timedelta(weeks=max(e.weeks, 1))
            if start < week_end and end > week_start:
                hours += e.hours_per_week
        if week_start < cta_weeks_end:
            hours += cta_hours * open_ctas
        # One decimal, as efforts are entered: "18.0" and "16.5", never "18" beside "16.5".
        loads.append(hours.quantize(HOURS))
    return loads


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    regions: frozenset[str]
    segment_ids: frozenset[int]
    capacity_hours: Decimal
    load_hours: Decimal
    active_engagements: int
    worked_with_account: bool


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    name: str
    rank: int
    covers: bool
    free_hours: Decimal
    fits_capacity: bool
    reasons: list[str]


def rank_candidates(
    candidates: list[Candidate], *, region: str, segment_id: int, hours_needed: Decimal
) -> list[Suggestion]:
    """CSEs ranked by fit, in the handbook's order of what matters: covers the
    account's segment and region, has room, carries fewest engagements, already
    knows the account."""

    def key(c: Candidate):
        covers = region in c.regions and segment_id in c.segment_ids
        # Among those who do not cover it, one who covers half (the region or the
        # segment) knows more of the account's world than one who covers neither.
        partly = (region in c.regions) + (segment_id in c.segment_ids)
        free = c.capacity_hours - c.load_hours
        return (
            not covers,
            -partly,
            free < hours_needed,
            c.active_engagements,
            not c.worked_with_account,
            -free,
        )

    ranked = []
    for rank, c in enumerate(sorted(candidates, key=key), start=1):
        covers_region = region in c.regions
        covers_segment = segment_id in c.segment_ids
        free = c.capacity_hours - c.load_hours
        reasons = [
            f"Covers {region}" if covers_region else f"Does not cover {region}",
            "covers the segment" if covers_segment else "does not cover the segment",
            f"{free:.1f} h free of {c.capacity_hours:.1f} h a week"
            + ("" if free >= hours_needed else f" (needs {hours_needed:.1f} h)"),
            f"{c.active_engagements} active engagement{'s' if c.active_engagements != 1 else ''}",
        ]
        if c.worked_with_account:
            reasons.append("has worked with this account")
        ranked.append(
            Suggestion(
                user_id=c.user_id,
                name=c.name,
                rank=rank,
                covers=covers_region and covers_segment,
                free_hours=free,
                fits_capacity=free >= hours_needed,
                reasons=reasons,
            )
        )
    return ranked


# The longest engagement a request may plan (its model's validator).
MAX_DURATION_WEEKS = 104


def effort_weeks(effort_kind: str, duration_weeks: int | None) -> int:
    return 1 if effort_kind == "one_off" else max(duration_weeks or 1, 1)


def planned_end(target_start: date, effort_kind: str, duration_weeks: int | None) -> date:
    """When an engagement is planned to end: its target start plus its weeks."""
    return target_start + timedelta(weeks=effort_weeks(effort_kind, duration_weeks))


# --- Aging --------------------------------------------------------------------

# How a request waits in each state, as its aging reason says it ("In review for
# 6 business days; the norm is 2"); the key of its norm in RHYTHM_AGING_NORMS is
# `request.<state>`. A state without a norm in the settings never ages by time.
WAITING = {
    S.REVIEW: "In review",
    S.CLARIFICATION: "Waiting for the CSM's answer",
    S.STARTED: "Started",
    S.COMPLETE: "Complete and not closed",
    S.REJECTED: "Rejected and not closed",
}


def norm_key(state: str) -> str:
    return f"request.{state}"


def request_aging(
    *,
    state: str,
    entered: date,
    target_start: date,
    effort_kind: str,
    duration_weeks: int | None,
    today: date,
    norms: dict[str, int],
) -> Aging:
    """A request waiting for a decision ages past the norm of its state; one not
    yet started is late once its target start has passed, a started one once its
    planned end has."""
    if state not in WAITING:
        return ON_TIME
    due, due_what = None, "Due"
    if state in (S.REVIEW, S.CLARIFICATION):
        due, due_what = target_start, "Target start"
    elif state == S.STARTED:
        due, due_what = planned_end(target_start, effort_kind, duration_weeks), "Planned end"
    return aging(
        today=today,
        waiting=WAITING[S(state)],
        entered=entered,
        norm=norms.get(norm_key(state)),
        due=due,
        due_what=due_what,
    )


# --- Duplicates ---------------------------------------------------------------

DUPLICATE_REASON_MAX_LENGTH = 2000
# A request is open until it is rejected or closed: a second one on the same
# objective while it is open is probably a duplicate of it. A complete request is
# still open (its CTA is, until the request is closed).
ENDED_STATES = frozenset({S.REJECTED, S.CLOSED})


@dataclass(frozen=True)
class EarlierRequest:
    """A request already filed on the objective, as the duplicate rule needs it."""

    id: int
    title: str
    state: str


@dataclass(frozen=True)
class Duplicates:
    """Whether a new request repeats an open one; `first` is the oldest it repeats."""

    first: EarlierRequest | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def duplicate(self) -> bool:
        return self.first is not None


def duplicate_requests(earlier: Sequence[EarlierRequest]) -> Duplicates:
    """Whether a new complex request repeats one still open on the same
    success-plan objective.

    An objective is served by one engagement at a time: a second request on it
    while the first is in review, in clarification, started or complete is most
    likely the same need filed twice, and would have two CSEs planned for it. A
    rejected or closed one is history, and a new request may follow it freely.
    The CSM may still file it, saying why (the service asks for a reason).

    `earlier`: the requests on the objective (open ones at least), in any order.
    """
    repeated = sorted(
        (request for request in earlier if request.state not in ENDED_STATES),
        key=lambda request: request.id,
    )
    if not repeated:
        return Duplicates()
    return Duplicates(
        first=repeated[0],
        reasons=[
            f"Request #{request.id} ({request.title}) is still open on this objective "
            f"({_state_label(request.state)})."
            for request in repeated
        ],
    )


def _state_label(state: str) -> str:
    return S(state).label if state in S.values else state


def duplicate_reason_problem(reason: str, *, duplicate: bool) -> str | None:
    """Why the reason given for filing a duplicate is refused, or None: one is
    needed, and kept to a readable length. Filing what is no duplicate needs none,
    and whatever was sent is not kept."""
    if not duplicate:
        return None
    if not reason.strip():
        return "Say why you file another request: it is shown on the request, for its reviewer."
    if len(reason) > DUPLICATE_REASON_MAX_LENGTH:
        return f"At most {DUPLICATE_REASON_MAX_LENGTH} characters; this has {len(reason)}."
    return None


@dataclass(frozen=True)
class DeliverableAnswer:
    """What the CSE says of one agreed deliverable on marking the engagement complete;
    None where they have not said."""

    achieved: bool | None = None
    on_time: bool | None = None


def missing_deliverable_answers(
    deliverables: list[str], answers: list[DeliverableAnswer]
) -> dict[str, str]:
    """What "Mark complete" still needs, by field: for each agreed deliverable, in
    order, whether it was achieved and, if so, whether within the agreed timeline."""
    if len(answers) != len(deliverables):
        return {
            "deliverables": f"Answer for each of the {len(deliverables)} agreed deliverables, "
            f"in order (got {len(answers)})."
        }
    missing: dict[str, str] = {}
    for index, (text, answer) in enumerate(zip(deliverables, answers, strict=True)):
        if answer.achieved is None:
            missing[f"deliverables.{index}.achieved"] = f"Say whether “{text}” was achieved."
        elif answer.achieved and answer.on_time is None:
            missing[f"deliverables.{index}.on_time"] = (
                f"Say whether “{text}” was achieved within the agreed timeline."
            )
    return missing


DOC_URL_MAX_LENGTH = 500
DOC_REASON_MAX_LENGTH = 1000


def missing_doc_answer(doc_url: str, none_reason: str) -> dict[str, str]:
    """What "Mark complete" still needs of the doc the engagement updated (DESIGN rule
    13: docs/guidelines updated, one per engagement): its link, or "none" with a reason.
    The link's shape is checked by the service (a URL validator is Django's)."""
    doc_url, none_reason = doc_url.strip(), none_reason.strip()
    if doc_url:
        if len(doc_url) > DOC_URL_MAX_LENGTH:
            return {"doc_url": f"At most {DOC_URL_MAX_LENGTH} characters; this has {len(doc_url)}."}
        return {}
    if not none_reason:
        return {
            "doc_url": "Link the doc or guideline this engagement updated, or say why none "
            "was updated."
        }
    if len(none_reason) > DOC_REASON_MAX_LENGTH:
        return {
            "doc_none_reason": f"At most {DOC_REASON_MAX_LENGTH} characters; "
            f"this has {len(none_reason)}."
        }
    return {}


# --- The board ------------------------------------------------------------------


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def age_label(spent: timedelta) -> str:
    """How long a card has been in its column, in one unit, as the design language
    reads ages ("3 days"): "2 weeks" from two weeks, "5 hours", "12 minutes", "now"."""
    minutes = max(int(spent.total_seconds() // 60), 0)
    if minutes >= 14 * 24 * 60:
        return _count(minutes // (7 * 24 * 60), "week")
    if minutes >= 24 * 60:
        return _count(minutes // (24 * 60), "day")
    if minutes >= 60:
        return _count(minutes // 60, "hour")
    return _count(minutes, "minute") if minutes else "now"


@dataclass(frozen=True)
class Due:
    """A date a card is held to: when a request in review should start, when an
    engagement or a CTA should be done. `days` is what is left (negative: late)."""

    label: str  # "Starts" or "Due"
    on: date
    days: int

    @property
    def late(self) -> bool:
        return self.days < 0

    @property
    def words(self) -> str:
        """ "in 12 days", "today", "3 days late"."""
        if self.days < 0:
            return f"{_count(-self.days, 'day')} late"
        if self.days == 0:
            return "today"
        return f"in {_count(self.days, 'day')}"


def due(label: str, on: date | None, today: date) -> Due | None:
    return None if on is None else Due(label, on, (on - today).days)


def initials(name: str) -> str:
    """What an avatar shows for a person without a picture: the first letters of
    their first and last names ("Martin Brummer" → "MB"), or of the one name."""
    words = [w for w in name.replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else words[0][1:2])
    return letters.upper()


class WipLevel(StrEnum):
    """A CSE's planned hours this week against their weekly capacity: the board's
    work-in-progress limit, as the capacity page colours it."""

    OVER = "over"  # more than their capacity: the limit is exceeded
    NEAR = "near"  # within 4 h of it
    ROOM = "room"


NEAR_LIMIT = Decimal("4")


def wip_level(load: Decimal, capacity: Decimal) -> WipLevel:
    if load > capacity:
        return WipLevel.OVER
    if load >= capacity - NEAR_LIMIT:
        return WipLevel.NEAR
    return WipLevel.ROOM
