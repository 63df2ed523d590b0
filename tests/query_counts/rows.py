"""Many rows, cheaply: what tests/test_query_counts.py lists at 10 and at 200.

Each maker adds `n` more rows of one kind, written in bulk (a handful of INSERTs
whatever `n`), as the service would leave them; CTAs come from the real
reconciliation (`ctas.services.reconcile`), which raises them, their tasks and
their timeline entries in bulk too. Rows for a list of everything go on accounts
of their own (a per-account lookup would show); rows for one account's page go on
the stage's account. One account in ten made here is another account owner's: the
stage's account owner does not see its rows, the CSE manager does.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

from bench import board
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rhythm.campaigns.models import Campaign, CampaignRun
from rhythm.cases.models import Case
from rhythm.catalog.models import Offering
from rhythm.core.models import ApiToken
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaSource, CtaStatus
from rhythm.ctas.models import Cta, CtaTransition, Playbook, PlaybookStep
from rhythm.customers.models import (
    Account,
    Contact,
    Objective,
    Opportunity,
    Segment,
    SuccessPlan,
)
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import (
    DeliverableOutcome,
    EngagementRequest,
    Stakeholder,
    Transition,
)
from rhythm.escalations import rules as escalation_rules
from rhythm.escalations.models import Escalation, EscalationTransition
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.health.models import MetricValue
from rhythm.meetings import services as meeting_services
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.models import ChecklistItem, Meeting
from rhythm.officehours.models import OfficeHourSession, Question
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse
from rhythm.timeline.models import TimelineEntry
from rhythm.webinars.choices import Kind, RegistrationStatus, WebinarStatus
from rhythm.webinars.models import (
    EnvironmentRequest,
    LabTemplate,
    Redemption,
    Registration,
    Webinar,
)
from tests.conftest import Cast
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SegmentFactory,
    SuccessPlanFactory,
    UserFactory,
)

_serial = itertools.count(1)


@dataclass
class Stage:
    """The cast, one account of the account owner's with what hangs off it, and the
    viewers: a CSE manager (sees every account) and the account owner (their own)."""

    cast: Cast
    segment: Segment
    account: Account
    objective: Objective
    offering: Offering
    session: OfficeHourSession
    request: EngagementRequest  # in review: the one whose suggestions are listed
    cta: Cta  # open: the one a manager assigns to a CSE of the team
    playbook: Playbook
    stranger: User  # another account owner
    # An account's contact, opportunity and objective, made once per account.
    furnished: dict[int, tuple[Contact, Opportunity, Objective]] = field(default_factory=dict)

    @property
    def viewers(self) -> dict[str, User]:
        return {"manager": self.cast.manager, "account_owner": self.cast.account_owner}


def build_stage(cast: Cast) -> Stage:
    segment = SegmentFactory(name="Mid-Touch")
    account = AccountFactory(account_owner=cast.account_owner, csm=cast.csm, segment=segment)
    objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=account))
    offering = Offering.objects.active().order_by("position", "id").first()
    assert offering is not None, "the catalog's offerings come with the migrations"
    session = OfficeHourSession.objects.create(
        cse=cast.cse, weekday=2, start_time=time(16, 0), duration_minutes=60
    )
    stage = Stage(
        cast=cast,
        segment=segment,
        account=account,
        objective=objective,
        offering=offering,
        session=session,
        # Filed and raised just below: they need the stage.
        request=None,  # type: ignore[arg-type]
        cta=None,  # type: ignore[arg-type]
        playbook=Playbook.objects.create(name="Staged playbook"),
        stranger=UserFactory(username="other-ae", roles=[Role.ACCOUNT_OWNER]),
    )
    stage.furnished[account.pk] = (
        ContactFactory(account=account),
        OpportunityFactory(account=account, owner=cast.account_owner),
        objective,
    )
    (stage.request,) = requests(stage, 1, spread=False)
    stage.cta = Cta.objects.get(case__in=cases(stage, 1, spread=False))
    return stage


# --- Where rows go --------------------------------------------------------------------


def accounts(stage: Stage, n: int) -> list[Account]:
    """`n` accounts renewing within the quarter: nine in ten the stage's account
    owner's (and its CSM's), the tenth another's, which only the manager sees."""
    renewal = timezone.localdate() + timedelta(days=30)
    cast = stage.cast
    built = [
        AccountFactory.build(
            segment=stage.segment,
            account_owner=stage.stranger if i % 10 == 9 else cast.account_owner,
            csm=None if i % 10 == 9 else cast.csm,
            renewal_date=renewal,
        )
        for i in range(n)
    ]
    return Account.objects.bulk_create(built)


def _homes(stage: Stage, n: int, spread: bool) -> list[Account]:
    """The account of each of `n` rows: one each, or all the stage's."""
    return accounts(stage, n) if spread else [stage.account] * n


def _furnish(stage: Stage, homes: list[Account]) -> None:
    """A contact, an opportunity and a plan's objective on each account that lacks them."""
    bare = list({a.pk: a for a in homes if a.pk not in stage.furnished}.values())
    if not bare:
        return
    contacts = Contact.objects.bulk_create([ContactFactory.build(account=a) for a in bare])
    opportunities = Opportunity.objects.bulk_create(
        [OpportunityFactory.build(account=a, owner=a.account_owner) for a in bare]
    )
    plans = SuccessPlan.objects.bulk_create([SuccessPlanFactory.build(account=a) for a in bare])
    objectives = Objective.objects.bulk_create(
        [ObjectiveFactory.build(success_plan=p) for p in plans]
    )
    for a, c, o, g in zip(bare, contacts, opportunities, objectives, strict=True):
        stage.furnished[a.pk] = (c, o, g)


# --- Customers ------------------------------------------------------------------------


def segments(stage: Stage, n: int) -> None:
    Segment.objects.bulk_create(
        [SegmentFactory.build(name=f"Band {next(_serial)}") for _ in range(n)]
    )


def _write(model, rows: list, stage: Stage, history: bool) -> list:
    """INSERT the rows, with their history rows (by the CSM) when the page shows those."""
    if history:
        return bulk_create_with_history(rows, model, default_user=stage.cast.csm)
    return model.objects.bulk_create(rows)


def contacts(stage: Stage, n: int, spread: bool = True, history: bool = False) -> None:
    homes = _homes(stage, n, spread)
    _write(Contact, [ContactFactory.build(account=a) for a in homes], stage, history)


def opportunities(stage: Stage, n: int, spread: bool = True, history: bool = False) -> None:
    homes = _homes(stage, n, spread)
    built = [OpportunityFactory.build(account=a, owner=a.account_owner) for a in homes]
    _write(Opportunity, built, stage, history)


def success_plans(stage: Stage, n: int, spread: bool = True, history: bool = False) -> None:
    """Each with two objectives, the list's nested rows."""
    homes = _homes(stage, n, spread)
    plans = _write(
        SuccessPlan, [SuccessPlanFactory.build(account=a) for a in homes], stage, history
    )
    objectives = [ObjectiveFactory.build(success_plan=p) for p in plans for _ in range(2)]
    _write(Objective, objectives, stage, history)


def account_page(stage: Stage, n: int) -> None:
    """What the account page lists of its own: contacts, opportunities, success plans,
    and the changes to them (its history)."""
    contacts(stage, n, spread=False, history=True)
    opportunities(stage, n, spread=False, history=True)
    success_plans(stage, n, spread=False, history=True)


# --- Cases and CTAs -------------------------------------------------------------------


def cases(stage: Stage, n: int, spread: bool = True) -> list[Case]:
    """CSE-help cases, each with its CTA and the one-off playbook's tasks, raised by
    the reconciliation as it would raise a case's missing CTA."""
    homes = _homes(stage, n, spread)
    _furnish(stage, homes)
    made = Case.objects.bulk_create(
        [
            Case(
                kind="cse_help",
                account=a,
                opportunity=stage.furnished[a.pk][1],
                contact=stage.furnished[a.pk][0],
                offering=stage.offering,
                challenges="Pipelines take 40 minutes.",
                opened_by=stage.cast.account_owner,
            )
            for a in homes
        ]
    )
    ctas.reconcile()
    return made


def case_ctas(stage: Stage, n: int, status: str = CtaStatus.OPEN, spread: bool = True) -> None:
    """`n` CTAs of cases; one in two owned by the cast's CSE (all, when in progress)."""
    made = cases(stage, n, spread)
    rows = Cta.objects.filter(case__in=made)
    if status == CtaStatus.OPEN:
        rows.filter(case__in=made[::2]).update(owner=stage.cast.cse)
    else:
        now = timezone.now()
        rows.update(status=status, owner=stage.cast.cse, accepted_at=now)
        if status == CtaStatus.CLOSED:
            rows.update(closed_at=now)


def playbooks(stage: Stage, n: int) -> None:
    """Playbooks of three steps, one of them archived."""
    made = Playbook.objects.bulk_create(
        [Playbook(name=f"Playbook {next(_serial)}") for _ in range(n)]
    )
    PlaybookStep.objects.bulk_create(
        [
            PlaybookStep(
                playbook=p,
                position=i,
                title=f"Step {i}",
                archived_at=timezone.now() if i == 3 else None,
            )
            for p in made
            for i in (1, 2, 3)
        ]
    )


def playbook_steps(stage: Stage, n: int) -> None:
    start = stage.playbook.steps.count()
    PlaybookStep.objects.bulk_create(
        [
            PlaybookStep(playbook=stage.playbook, position=start + i, title=f"Step {start + i}")
            for i in range(1, n + 1)
        ]
    )


# --- Engagement requests --------------------------------------------------------------

# The states a request passed through to reach each state, from its filing.
_PATHS = {
    RequestState.REVIEW: [RequestState.REVIEW],
    RequestState.CLARIFICATION: [RequestState.REVIEW, RequestState.CLARIFICATION],
    RequestState.REJECTED: [RequestState.REVIEW, RequestState.REJECTED],
    RequestState.STARTED: [RequestState.REVIEW, RequestState.STARTED],
    RequestState.COMPLETE: [RequestState.REVIEW, RequestState.STARTED, RequestState.COMPLETE],
    RequestState.CLOSED: [
        RequestState.REVIEW,
        RequestState.STARTED,
        RequestState.COMPLETE,
        RequestState.CLOSED,
    ],
}
_ASSIGNED = {RequestState.STARTED, RequestState.COMPLETE, RequestState.CLOSED}


def requests(
    stage: Stage,
    n: int,
    state: str = RequestState.REVIEW,
    spread: bool = True,
    cses: list[User] | None = None,
) -> list[EngagementRequest]:
    """Requests in `state`, each with a stakeholder, its transitions from filing and,
    once started, its CTA; assigned to `cses` in turn (default: the cast's CSE)."""
    homes = _homes(stage, n, spread)
    _furnish(stage, homes)
    cast = stage.cast
    assignees = itertools.cycle(cses or [cast.cse])
    now = timezone.now()
    made = EngagementRequest.objects.bulk_create(
        [
            EngagementRequest(
                title=f"CI for team {next(_serial)}",
                account=a,
                objective=stage.furnished[a.pk][2],
                offering=stage.offering,
                effort_kind="duration",
                duration_weeks=6,
                hours_per_week=Decimal("5"),
                target_start_date=timezone.localdate() + timedelta(days=14),
                outcome="Every team builds on GitLab CI.",
                metrics=["Pipelines under 10 minutes"],
                deliverables=["Reference pipeline"],
                state=state,
                state_changed_at=now,
                requested_by=cast.csm,
                assigned_cse=next(assignees) if state in _ASSIGNED else None,
            )
            for a in homes
        ]
    )
    Stakeholder.objects.bulk_create(
        [
            Stakeholder(
                request=r, name="Ana Costa", role_title="VP Eng", responsibilities="Sponsor"
            )
            for r in made
        ]
    )
    path = _PATHS[RequestState(state)]
    Transition.objects.bulk_create(
        [
            Transition(
                request=r,
                from_state=path[i - 1] if i else "",
                to_state=to,
                actor=cast.csm if i == 0 else cast.manager,
                assigned_cse=r.assigned_cse if to == RequestState.STARTED else None,
                at=now - timedelta(hours=len(path) - i),
            )
            for r in made
            for i, to in enumerate(path)
        ]
    )
    if state in _ASSIGNED:
        Cta.objects.bulk_create(
            [
                Cta(
                    name=f"{r.account.name} - CSE Engagement: {r.title}",
                    account=r.account,
                    request=r,
                    type="CSE Engagement",
                    reason="Complex CSE engagement",
                    owner=r.assigned_cse,
                    status=CtaStatus.IN_PROGRESS
                    if state == RequestState.STARTED
                    else CtaStatus.CLOSED,
                    source=CtaSource.REQUEST,
                    accepted_at=now,
                )
                for r in made
            ]
        )
    return made


def board_column(column: str, kind: str = ""):
    """A maker for one column of a board: requests in that state, or CTAs."""

    def make(stage: Stage, n: int) -> None:
        if kind == "ctas":
            case_ctas(stage, n, CtaStatus(column))
        else:
            requests(stage, n, RequestState(column))

    make.__name__ = f"board_{kind or 'requests'}_{column}"
    return make


def board_cards(stage: Stage, n: int) -> None:
    """n cards on each board, over every column and the team's CSEs, on accounts of
    their own (nine in ten the account owner's): bench.board.fill, the helper that
    builds a 300-card board quickly."""
    board.fill(n, accounts=accounts(stage, n))


# --- The team -------------------------------------------------------------------------


def members(stage: Stage, n: int, role: Role = Role.CSE) -> list[User]:
    """Active members with a role, each covering the stage's segment and a region."""
    made = User.objects.bulk_create(
        [
            UserFactory.build(username=f"member-{next(_serial)}", covered_regions=["AMER"])
            for _ in range(n)
        ]
    )
    group = Group.objects.get(name=role.label)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in made]
    )
    User.covered_segments.through.objects.bulk_create(
        [User.covered_segments.through(user_id=u.pk, segment_id=stage.segment.pk) for u in made]
    )
    return made


def cses_at_work(stage: Stage, n: int) -> None:
    """CSEs, each running an engagement and holding an open CTA (what capacity adds up)."""
    cses = members(stage, n)
    requests(stage, n, RequestState.STARTED, spread=False, cses=cses)
    made = cases(stage, n, spread=False)
    for cse, case in zip(cses, made, strict=True):
        # One UPDATE per CSE: cheap at these sizes, and each CTA gets its own owner.
        Cta.objects.filter(case=case).update(owner=cse)


def tokens(stage: Stage, n: int) -> None:
    """Personal tokens of each viewer (a list of one's own)."""
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=user, name=f"laptop {i}", prefix="rhy_test", key_hash=f"{next(_serial)}")
            for user in stage.viewers.values()
            for i in range(n)
        ]
    )


# --- Office hours, meetings, the timeline, the catalog --------------------------------


def sessions(stage: Stage, n: int) -> None:
    OfficeHourSession.objects.bulk_create(
        [
            OfficeHourSession(
                cse=stage.cast.cse, weekday=i % 5, start_time=time(9 + i % 8), duration_minutes=60
            )
            for i in range(n)
        ]
    )


def questions(stage: Stage, n: int) -> None:
    Question.objects.bulk_create(
        [
            Question(
                session=stage.session,
                account=a,
                asked_by=stage.cast.csm,
                topic=f"Question {next(_serial)}",
                context="Monorepo pipelines.",
            )
            for a in _homes(stage, n, spread=True)
        ]
    )


def office_hours(stage: Stage, n: int) -> None:
    """What the office-hours page lists: sessions and open questions."""
    sessions(stage, n)
    questions(stage, n)


def meetings(stage: Stage, n: int) -> None:
    """Scheduled calls, each with the cast's CSE and CSM taking part."""
    cast = stage.cast
    made = Meeting.objects.bulk_create(
        [
            Meeting(
                account=a,
                name=f"CSE: topic {next(_serial)}",
                kind=MeetingKind.SPOT,
                status=MeetingStatus.SCHEDULED,
                scheduled_at=timezone.now() + timedelta(days=3),
                cse=cast.cse,
                organiser=cast.csm,
                created_by=cast.cse,
            )
            for a in _homes(stage, n, spread=True)
        ]
    )
    Meeting.participants.through.objects.bulk_create(
        [
            Meeting.participants.through(meeting_id=m.pk, user_id=u.pk)
            for m in made
            for u in (cast.cse, cast.csm)
        ]
    )


def follow_ups(stage: Stage, n: int) -> None:
    """Held calls, each with its follow-up still to send, on accounts of their own."""
    cast = stage.cast
    now = timezone.now()
    made = Meeting.objects.bulk_create(
        [
            Meeting(
                account=a,
                name=f"Call {next(_serial)}",
                kind=MeetingKind.CASE,
                status=MeetingStatus.HELD,
                scheduled_at=now - timedelta(hours=2),
                held_at=now - timedelta(hours=1),
                cse=cast.cse,
                created_by=cast.cse,
            )
            for a in _homes(stage, n, spread=True)
        ]
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                meeting=m,
                account_id=m.account_id,
                cse=cast.cse,
                opened_at=m.held_at,
                target_at=m.held_at + timedelta(days=2),
                due_at=m.held_at + timedelta(days=3),
            )
            for m in made
        ]
    )


def further_questions(stage: Stage, n: int) -> None:
    """Questions after held calls, on accounts of their own, each by the cast's CSM."""
    follow_ups(stage, n)
    cast = stage.cast
    FurtherQuestion.objects.bulk_create(
        [
            FurtherQuestion(
                meeting_id=f.meeting_id,
                account_id=f.account_id,
                cse=cast.cse,
                question=f"Question {next(_serial)}",
                asked_by=cast.csm,
                asked_at=f.opened_at,
                due_at=f.opened_at + timedelta(days=1),
            )
            for f in FollowUp.objects.filter(cse=cast.cse).order_by("-pk")[:n]
        ]
    )


def timeline_entries(stage: Stage, n: int) -> None:
    """Entries of every kind on the stage's account, by members of the cast in turn,
    older than those the stage began with; three in a row about one object (its
    link), which the timeline shows as one group."""
    kinds = itertools.cycle(["case", "cta", "request", "transition", "meeting", "note"])
    actors = itertools.cycle([stage.cast.account_owner, stage.cast.csm, stage.cast.cse, None])
    before = timezone.now() - timedelta(days=1)
    serials = [next(_serial) for _ in range(n)]
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                account=stage.account,
                kind=next(kinds),
                title=f"Entry {serial}",
                body="What happened.",
                actor=next(actors),
                link=f"/objects/{serial // 3}/",
                occurred_at=before - timedelta(seconds=serial),
            )
            for serial in serials
        ]
    )


def newest_entry(stage: Stage) -> int:
    """The stage's account's newest timeline entry: the rows made later are older."""
    entries = TimelineEntry.objects.filter(account=stage.account).order_by("-occurred_at", "-id")
    newest = entries.values_list("pk", flat=True).first()
    assert newest is not None, "the stage's case writes its CTA's entry"
    return newest


def account_meetings(stage: Stage, n: int) -> None:
    """Calls on the stage's account, one in two still to come and the others held."""
    cast = stage.cast
    now = timezone.now()
    Meeting.objects.bulk_create(
        [
            Meeting(
                account=stage.account,
                name=f"CSE: topic {next(_serial)}",
                kind=MeetingKind.SPOT,
                status=MeetingStatus.SCHEDULED if i % 2 else MeetingStatus.HELD,
                scheduled_at=now + timedelta(days=3 if i % 2 else -3),
                held_at=None if i % 2 else now - timedelta(days=3),
                cse=cast.cse,
                organiser=cast.csm,
                created_by=cast.cse,
            )
            for i in range(n)
        ]
    )


def offerings(stage: Stage, n: int) -> None:
    Offering.objects.bulk_create(
        [
            Offering(name=f"Offering {next(_serial)}", description="What we do.", position=100 + i)
            for i in range(n)
        ]
    )


def mixed_requests(stage: Stage, n: int) -> None:
    """Requests in every state of the review, in turn."""
    states = list(_PATHS)
    for i, state in enumerate(states):
        share = n // len(states) + (1 if i < n % len(states) else 0)
        if share:
            requests(stage, share, state)


def earlier_engagements(stage: Stage, n: int) -> None:
    """What the CTA page lists of its account's past: CTAs of other cases (some
    closed, with why) and engagement requests in every state, all on its account."""
    half = n // 2
    made = cases(stage, half, spread=False)
    closed = Cta.objects.filter(case__in=made[::2])
    now = timezone.now()
    ctas_closed = list(closed)
    closed.update(status=CtaStatus.CLOSED, owner=stage.cast.cse, closed_at=now)
    CtaTransition.objects.bulk_create(
        [
            CtaTransition(
                cta=c,
                from_state=CtaStatus.OPEN,
                to_state=CtaStatus.CLOSED,
                actor=stage.cast.cse,
                reason="Answered by email.",
                at=now,
            )
            for c in ctas_closed
        ]
    )
    states = list(_PATHS)
    for i in range(n - half):
        requests(stage, 1, states[i % len(states)], spread=False)


def late_work(stage: Stage, n: int) -> None:
    """Work a home page marks late: CTAs of cases left unaccepted for a fortnight,
    half as many requests a fortnight in review."""
    made = cases(stage, n - n // 2)
    long_ago = timezone.now() - timedelta(days=14)
    Cta.objects.filter(case__in=made).update(raised_at=long_ago)
    waiting = requests(stage, n // 2)
    EngagementRequest.objects.filter(pk__in=[r.pk for r in waiting]).update(
        state_changed_at=long_ago
    )


# --- Surveys ----------------------------------------------------------------------------


def _survey_rows(stage: Stage, pairs: list[tuple[Contact, object]], every: int = 2) -> None:
    """A CSAT survey per (contact, subject), one in `every` answered."""
    now = timezone.now()
    made = Survey.objects.bulk_create(
        [
            Survey(
                kind=SurveyKind.CSAT,
                account_id=contact.account_id,
                contact=contact,
                cse=stage.cast.cse,
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                about="Staged follow-up",
                token_hash=f"{next(_serial):064x}",
                sent_at=now,
                expires_at=now + timedelta(days=30),
                answered_at=now if i % every == 0 else None,
            )
            for i, (contact, subject) in enumerate(pairs)
        ]
    )
    SurveyResponse.objects.bulk_create(
        [SurveyResponse(survey=s, score=4, comment="Staged.") for s in made if s.answered_at]
    )


def surveys(stage: Stage, n: int) -> None:
    """Surveys on accounts of their own, each about the account's opportunity."""
    homes = _homes(stage, n, spread=True)
    _furnish(stage, homes)
    _survey_rows(stage, [stage.furnished[a.pk][:2] for a in homes])


def survey_responses(stage: Stage, n: int) -> None:
    """Answered surveys, on accounts of their own."""
    homes = _homes(stage, n, spread=True)
    _furnish(stage, homes)
    _survey_rows(stage, [stage.furnished[a.pk][:2] for a in homes], every=1)


def request_surveys(stage: Stage, n: int) -> None:
    """Surveys about the stage's request, each to another contact of its account."""
    contacts = Contact.objects.bulk_create(
        [ContactFactory.build(account=stage.account) for _ in range(n)]
    )
    _survey_rows(stage, [(c, stage.request) for c in contacts])


def my_meetings(stage: Stage, n: int) -> None:
    """Calls both viewers take part in (the manager a participant, the account owner
    the AE), on accounts of their own, each with a checklist of three items."""
    cast = stage.cast
    for viewer in stage.viewers.values():
        meeting_services.feed_token(viewer)  # the feed's secret exists, as after a first visit
    made = Meeting.objects.bulk_create(
        [
            Meeting(
                account=a,
                name=f"Call {next(_serial)}",
                kind=MeetingKind.CASE,
                status=MeetingStatus.SCHEDULED,
                scheduled_at=timezone.now() + timedelta(days=3),
                cse=cast.cse,
                ae=cast.account_owner,
                created_by=cast.cse,
            )
            for a in _homes(stage, n, spread=True)
        ]
    )
    Meeting.participants.through.objects.bulk_create(
        [Meeting.participants.through(meeting_id=m.pk, user_id=cast.manager.pk) for m in made]
    )
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(meeting=m, position=p, title=f"Item {p}") for m in made for p in (1, 2, 3)]
    )


def stage_meeting(stage: Stage) -> Meeting:
    """The call on the stage's account whose checklist is listed (made on first ask)."""
    meeting = Meeting.objects.filter(account=stage.account, name="Checklist call").first()
    if meeting is None:
        meeting = Meeting.objects.create(
            account=stage.account,
            name="Checklist call",
            kind=MeetingKind.CASE,
            scheduled_at=timezone.now() + timedelta(days=3),
            cse=stage.cast.cse,
            created_by=stage.cast.cse,
        )
    return meeting


def checklist_items(stage: Stage, n: int) -> None:
    """Items on the stage's call's checklist, after those it has."""
    meeting = stage_meeting(stage)
    start = ChecklistItem.objects.filter(meeting=meeting).count()
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(meeting=meeting, position=start + p, title=f"Item {start + p}")
            for p in range(1, n + 1)
        ]
    )


def escalations(stage: Stage, n: int, spread: bool = True) -> None:
    """Account escalations, each with its verdict and its first log row; one in two
    approved by the cast's manager."""
    today = timezone.localdate()
    now = timezone.now()
    homes = _homes(stage, n, spread)
    made = []
    for i, a in enumerate(homes):
        inputs = escalation_rules.Inputs(
            arr=a.arr,
            lam=a.lam,
            segment_name=stage.segment.name,
            segment_ceiling=stage.segment.arr_ceiling,
            renewal_date=a.renewal_date,
            today=today,
        )
        verdict = escalation_rules.qualify(inputs)
        approved = i % 2 == 1
        made.append(
            Escalation(
                account=a,
                kind="account",
                risk="churn",
                impact=f"Blocked release {next(_serial)}.",
                segment=stage.segment,
                region=a.region,
                verdict="qualifies" if verdict.qualifies else "does_not_qualify",
                verdict_detail={
                    "inputs": inputs.as_json(),
                    "thresholds": escalation_rules.Thresholds().as_json(),
                    "verdict": verdict.as_json(),
                },
                state="approved" if approved else "raised",
                raised_by=stage.cast.csm,
                decided_by=stage.cast.manager if approved else None,
                decided_at=now if approved else None,
                state_changed_at=now,
            )
        )
    made = Escalation.objects.bulk_create(made)
    EscalationTransition.objects.bulk_create(
        EscalationTransition(escalation=e, to_state="raised", actor=stage.cast.csm, at=now)
        for e in made
    )


# --- KPIs -----------------------------------------------------------------------------


def kpi_work(stage: Stage, n: int, spread: bool = True) -> None:
    """What the KPIs count, `n` of each: completed engagements with their deliverables'
    outcomes and a doc, rejected requests, CTAs of cases, follow-ups, CSAT surveys."""
    done = requests(stage, n, state=RequestState.COMPLETE, spread=spread)
    EngagementRequest.objects.filter(pk__in=[r.pk for r in done[::2]]).update(
        doc_url="https://docs.example/runbook"
    )
    completions = Transition.objects.filter(request__in=done, to_state=RequestState.COMPLETE)
    DeliverableOutcome.objects.bulk_create(
        [
            DeliverableOutcome(
                request_id=t.request_id,
                transition=t,
                position=0,
                text="Reference pipeline",
                achieved=True,
                on_time=t.pk % 2 == 0,
            )
            for t in completions
        ]
    )
    requests(stage, n, state=RequestState.REJECTED, spread=spread)
    Transition.objects.filter(to_state=RequestState.REJECTED, reason_code="").update(
        reason_code="out_of_scope"
    )
    case_ctas(stage, n, spread=spread)
    if spread:
        follow_ups(stage, n)
        surveys(stage, n)
    else:
        success_plans(stage, n, spread=False)


def kpi_account_work(stage: Stage, n: int) -> None:
    """The KPIs' rows, all on the stage's account (its QBR)."""
    kpi_work(stage, n, spread=False)


# --- Webinars ---------------------------------------------------------------------------


def stage_webinar(stage: Stage) -> Webinar:
    """The published lab whose registrations, redemptions and page are listed."""
    webinar = Webinar.objects.filter(title="Stage lab").first()
    if webinar is None:
        webinar = Webinar.objects.create(
            title="Stage lab",
            kind=Kind.LAB,
            region="EMEA",
            starts_at=timezone.now(),
            time_zone="Europe/Berlin",
            lab_template=LabTemplate.objects.create(name=f"Stage template {next(_serial)}"),
            access_days=2,
            host=stage.cast.cse,
            status=WebinarStatus.PUBLISHED,
        )
    return webinar


def webinars(stage: Stage, n: int) -> list[Webinar]:
    """Published labs of this month, each hosted."""
    return Webinar.objects.bulk_create(
        [
            Webinar(
                title=f"Lab {next(_serial)}",
                kind=Kind.LAB,
                region=("AMER", "EMEA", "APAC")[i % 3],
                starts_at=timezone.now(),
                time_zone="UTC",
                host=stage.cast.cse,
                status=WebinarStatus.PUBLISHED,
            )
            for i in range(n)
        ]
    )


def webinar_kpi_work(stage: Stage, n: int) -> None:
    """What the webinars dashboard counts, `n` of each: delivered labs of this month,
    each with an attendee who redeemed its code and a post-event survey about it."""
    events = webinars(stage, n)
    Webinar.objects.filter(pk__in=[e.pk for e in events]).update(status=WebinarStatus.DELIVERED)
    made = Registration.objects.bulk_create(
        [
            Registration(
                webinar=event,
                name=f"Attendee {s}",
                email=f"attendee{s}@example.com",
                company="Initech",
                consent_at=timezone.now(),
                status=RegistrationStatus.CONFIRMED,
                token_hash=f"{s:064d}",
                attended=True,
            )
            for event, s in ((e, next(_serial)) for e in events)
        ]
    )
    Redemption.objects.bulk_create(
        [
            Redemption(
                registration=r,
                webinar_id=r.webinar_id,
                redeemed_at=timezone.now(),
                access_ends_at=timezone.now() + timedelta(days=2),
            )
            for r in made
        ]
    )
    contacts = Contact.objects.bulk_create(
        [ContactFactory.build(account=stage.account) for _ in events]
    )
    _survey_rows(stage, list(zip(contacts, events, strict=True)))


def lab_templates(stage: Stage, n: int) -> None:
    LabTemplate.objects.bulk_create(
        [LabTemplate(name=f"Template {next(_serial)}") for _ in range(n)]
    )


def webinar_registrations(stage: Stage, n: int) -> list[Registration]:
    webinar = stage_webinar(stage)
    return Registration.objects.bulk_create(
        [
            Registration(
                webinar=webinar,
                name=f"Visitor {s}",
                email=f"visitor{s}@example.com",
                company="Initech",
                consent_at=timezone.now(),
                status=RegistrationStatus.CONFIRMED,
                token_hash=f"{s:064d}",
            )
            for s in (next(_serial) for _ in range(n))
        ]
    )


def environment_requests(stage: Stage, n: int) -> None:
    EnvironmentRequest.objects.bulk_create(
        [
            EnvironmentRequest(webinar=w, filed_by=stage.cast.cse, days_before=8)
            for w in webinars(stage, n)
        ]
    )


def redemptions(stage: Stage, n: int) -> None:
    webinar = stage_webinar(stage)
    Redemption.objects.bulk_create(
        [
            Redemption(
                registration=r,
                webinar=webinar,
                redeemed_at=timezone.now(),
                access_ends_at=timezone.now() + timedelta(days=2),
            )
            for r in webinar_registrations(stage, n)
        ]
    )


# --- Campaigns and health metrics ---------------------------------------------------


def campaigns(stage: Stage, n: int) -> None:
    start = Campaign.objects.count()
    Campaign.objects.bulk_create(
        Campaign(name=f"Campaign {start + i:05d}", subject="Hi", body="Book: {{ booking_link }}")
        for i in range(n)
    )


def stage_campaign(stage: Stage) -> Campaign:
    """The campaign whose runs and audience are listed (made on first ask): every
    account of the stage's segment, none excluded for its metrics."""
    campaign, made = Campaign.objects.get_or_create(
        name="Stage campaign", defaults={"subject": "Hi", "body": "Book: {{ booking_link }}"}
    )
    if made:
        campaign.segments.set([stage.segment])
    return campaign


def campaign_runs(stage: Stage, n: int) -> None:
    campaign = stage_campaign(stage)
    CampaignRun.objects.bulk_create(CampaignRun(campaign=campaign) for _ in range(n))


def campaign_audience(stage: Stage, n: int) -> None:
    """n accounts of the campaign's segment, each with a contact and a low reading."""
    stage_campaign(stage)
    homes = accounts(stage, n)
    _furnish(stage, homes)
    today = timezone.localdate()
    MetricValue.objects.bulk_create(
        MetricValue(account=a, metric="license_utilisation", date=today, value=Decimal("30"))
        for a in homes
    )


def metric_values(stage: Stage, n: int) -> None:
    homes = accounts(stage, n)
    today = timezone.localdate()
    MetricValue.objects.bulk_create(
        MetricValue(account=a, metric="active_users", date=today, value=Decimal(i))
        for i, a in enumerate(homes)
    )
