"""A small team's November 2026, written row by row as the services leave them, with
every figure the KPIs should find counted by hand in the comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from rhythm.catalog.models import Offering
from rhythm.core.models import OutboundMessage
from rhythm.ctas.choices import CtaSource, CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.choices import HealthStatus
from rhythm.customers.models import SuccessPlan
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import DeliverableOutcome, EngagementRequest, Transition
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.models import Meeting
from rhythm.people.choices import Role
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ObjectiveFactory,
    SegmentFactory,
    SuccessPlanFactory,
    UserFactory,
)

NOV = "2026-11"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
_serial = count(1)


def nov(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Team:
    cast: Any
    emea: Any  # an EMEA account of the cast's account owner, Mid-Touch
    amer: Any  # an AMER account of another account owner, Enterprise
    other_cse: Any
    offering: Offering
    requests: dict[str, EngagementRequest]


def _request(team_account, cast, offering, title, state, created, cse=None, **kw):
    objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=team_account))
    made = EngagementRequest.objects.create(
        title=title,
        account=team_account,
        objective=objective,
        offering=offering,
        effort_kind="duration",
        duration_weeks=4,
        hours_per_week=Decimal("10"),
        target_start_date=created.date(),
        outcome="Faster pipelines.",
        deliverables=["Reference pipeline", "Runbook"],
        state=state,
        requested_by=cast.csm,
        assigned_cse=cse,
        **kw,
    )
    EngagementRequest.objects.filter(pk=made.pk).update(created_at=created)
    return made


def _move(request, cast, to, at, from_state="", **kw):
    return Transition.objects.create(
        request=request, from_state=from_state, to_state=to, actor=cast.manager, at=at, **kw
    )


def _survey(account, contact, cse, kind, score, sent):
    survey = Survey.objects.create(
        kind=kind,
        account=account,
        contact=contact,
        cse=cse,
        subject_type=ContentType.objects.get_for_model(account),
        subject_id=next(_serial),
        about="A call",
        token_hash=f"{next(_serial):064x}",
        sent_at=sent,
        expires_at=sent + timedelta(days=30),
        answered_at=sent + timedelta(hours=1) if score is not None else None,
    )
    if score is not None:
        SurveyResponse.objects.create(survey=survey, score=score)


def _meeting(account, cse, held):
    return Meeting.objects.create(
        account=account,
        name=f"Call {next(_serial)}",
        kind=MeetingKind.CASE,
        status=MeetingStatus.HELD,
        scheduled_at=held - timedelta(hours=1),
        held_at=held,
        cse=cse,
        created_by=cse,
    )


@pytest.fixture
def team(cast) -> Team:
    cse, other = cast.cse, UserFactory(username="cse2", roles=[Role.CSE])
    cse.weekly_capacity_hours = Decimal("40")
    cse.save()
    mid, ent = SegmentFactory(name="Mid-Touch"), SegmentFactory(name="Enterprise")
    emea = AccountFactory(
        name="Acme EMEA", region="EMEA", segment=mid, account_owner=cast.account_owner
    )
    amer = AccountFactory(name="Globex AMER", region="AMER", segment=ent)
    offering = Offering.objects.active().order_by("position", "id").first()
    requests = {}

    # Requests filed in November: three on EMEA (one not from the catalog), one on AMER;
    # one filed in October is outside the period.
    for key, account, off, day in (
        ("done_link", emea, offering, 2),
        ("done_none", emea, offering, 3),
        ("rejected", emea, None, 4),
        ("done_unasked", amer, offering, 5),
    ):
        requests[key] = _request(account, cast, off, key, RequestState.REVIEW, nov(day), cse=cse)
    requests["october"] = _request(
        emea, cast, offering, "october", RequestState.REVIEW, nov(1) - timedelta(days=5)
    )
    # Completions: a doc linked, none with a reason, one before the question existed.
    EngagementRequest.objects.filter(pk=requests["done_link"].pk).update(
        state=RequestState.COMPLETE, doc_url="https://docs.example/runbook"
    )
    EngagementRequest.objects.filter(pk=requests["done_none"].pk).update(
        state=RequestState.COMPLETE, doc_none_reason="The guide already covers it."
    )
    EngagementRequest.objects.filter(pk=requests["done_unasked"].pk).update(
        state=RequestState.COMPLETE
    )
    # Review: done_link 2 days, done_none 4, done_unasked 6, rejected 1 (average 3.25);
    # Started: 16, 13 and 9 days until complete (12.67).
    for key, filed_on, review_days in (
        ("done_link", 2, 2),
        ("done_none", 3, 4),
        ("done_unasked", 5, 6),
    ):
        r, filed = requests[key], nov(filed_on)
        _move(r, cast, RequestState.REVIEW, filed)
        _move(r, cast, RequestState.STARTED, filed + timedelta(days=review_days), "review")
        done = _move(r, cast, RequestState.COMPLETE, nov(20), "started")
        # Two deliverables each: done_link both on time; done_none one; done_unasked none.
        on_time = {"done_link": (True, True), "done_none": (True, False)}.get(key, (False, False))
        for position, flag in enumerate(on_time):
            DeliverableOutcome.objects.create(
                request=r,
                transition=done,
                position=position,
                text=f"D{position}",
                achieved=True,
                on_time=flag,
            )
    rejected = requests["rejected"]
    _move(rejected, cast, RequestState.REVIEW, nov(4))
    _move(rejected, cast, RequestState.REJECTED, nov(5), "review", reason_code="out_of_scope")
    EngagementRequest.objects.filter(pk=rejected.pk).update(state=RequestState.REJECTED)

    # Capacity today: the CSE runs one started engagement at 10 h a week and holds two
    # open CTAs of cases (2 h each): 14 h of 40 h = 35%.
    started = _request(emea, cast, offering, "running", RequestState.STARTED, nov(25), cse=cse)
    requests["running"] = started
    contact = ContactFactory(account=emea)
    for hours, outreach in ((2, True), (4, False)):
        raised = nov(10 + hours)
        cta = Cta.objects.create(
            name=f"Acme EMEA - Ad-Hoc CSE Engagement Request {hours}",
            account=emea,
            owner=cse,
            status=CtaStatus.OPEN,
            source=CtaSource.REALTIME,
            raised_at=raised,
            latency=timedelta(hours=hours),  # 2 h and 4 h: an average of 3 h
        )
        if outreach:  # its outreach email 6 h after it was raised
            message = OutboundMessage.objects.create(
                idempotency_key=f"outreach-{cta.pk}",
                to=[contact.email],
                subject="Hi",
                body_text=".",
            )
            OutboundMessage.objects.filter(pk=message.pk).update(
                created_at=raised + timedelta(hours=6)
            )
            Cta.objects.filter(pk=cta.pk).update(outreach_message=message)

    # Surveys sent in November: CSAT 5, 4, 2 and one unanswered (average 3.67, 75%
    # answered); NPS 10, 9, 7, 3 (2 promoters, 1 detractor of 4: +25). The other CSE's
    # CSAT 1 on the AMER account.
    for score in (5, 4, 2, None):
        _survey(emea, contact, cse, SurveyKind.CSAT, score, nov(8))
    for score in (10, 9, 7, 3):
        _survey(emea, contact, cse, SurveyKind.NPS, score, nov(9))
    _survey(amer, ContactFactory(account=amer), other, SurveyKind.CSAT, 1, nov(9))

    # Follow-ups due in November: sent on time, sent late, still open past due; one due
    # after "now" is not counted yet: 1 of 3 on time.
    for due, sent, on_time in (
        (nov(10), nov(9), True),
        (nov(12), nov(14), False),
        (nov(15), None, None),
        (nov(30, 23), None, None),
    ):
        meeting = _meeting(emea, cse, due - timedelta(days=3))
        FollowUp.objects.create(
            meeting=meeting,
            account=emea,
            cse=cse,
            opened_at=meeting.held_at,
            target_at=due - timedelta(days=1),
            due_at=due,
            sent_at=sent,
            on_time=on_time,
            status="sent" if sent else "open",
        )
    # A further question answered on time: 1 of 1.
    meeting = _meeting(emea, cse, nov(16))
    FurtherQuestion.objects.create(
        meeting=meeting,
        account=emea,
        cse=cse,
        question="Autoscaling?",
        asked_by=cast.csm,
        asked_at=nov(16),
        due_at=nov(17),
        answer="Yes.",
        answered_at=nov(16, 15),
        answered_by=cse,
        on_time=True,
    )

    # Success plans (as they stand): EMEA's every objective green and complete; AMER's
    # one amber: 1 of 2 green (50%), 1 of 2 complete. The requests' objectives above
    # made plans of their own: they are archived here so that these two are counted.
    SuccessPlan.objects.update(archived_at=NOW)
    green = SuccessPlanFactory(account=emea, name="EMEA plan")
    ObjectiveFactory(success_plan=green, status=HealthStatus.GREEN, progress=100)
    amber = SuccessPlanFactory(account=amer, name="AMER plan")
    ObjectiveFactory(success_plan=amber, status=HealthStatus.GREEN, progress=100)
    ObjectiveFactory(success_plan=amber, status=HealthStatus.AMBER, progress=60)
    return Team(cast, emea, amer, other, offering, requests)
