"""The demo's engagements: cases with their CTAs, requests in every state of the
review workflow, office hours and notes, all made through the use cases."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse

from rhythm.cases.choices import CaseKind, CaseStatus, Priority
from rhythm.cases.models import Case
from rhythm.catalog.models import Offering
from rhythm.core.models import OutboundMessage
from rhythm.ctas.choices import CtaSource, CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.demo.engagements import KEY_PREFIX
from rhythm.engagements import board
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Transition
from rhythm.meetings.models import Meeting
from rhythm.officehours.choices import QuestionStatus
from rhythm.officehours.models import OfficeHourSession, Question
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.timeline.models import TimelineEntry
from tests.demo.conftest import TODAY, load_on_today

pytestmark = pytest.mark.usefixtures("demo", "db")

HTMX = {"HX-Request": "true"}
# Pinned on SQLite and checked on PostgreSQL: no choice the demo makes may depend
# on the order a database returns rows in, or on its ids.
# The demo follow-ups (demo/followups.py) tick their CTAs' call tasks as the calls are held.
ENGAGEMENTS_FINGERPRINT = "28923516e2956fa754bb606d8fd5cccb940b19b142295eb5c0e817fba70ec3f3"


def demo_cases():
    return Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)


def demo_requests():
    return EngagementRequest.objects.filter(account__crm_id__startswith="DEMO-")


def covers(user: User, account) -> bool:
    return account.region in user.covered_regions and (
        user.covered_segments.filter(pk=account.segment_id).exists()
    )


def test_forty_cases_each_with_exactly_one_cta_named_for_its_customer():
    cases = list(demo_cases().select_related("account__account_owner", "opportunity", "contact"))
    assert len(cases) == 40
    for case in cases:
        assert case.kind == CaseKind.CSE_HELP
        # Opened by the account owner, on an open opportunity, for a contact of the account.
        assert case.opened_by_id == case.account.account_owner_id
        assert case.opportunity.account_id == case.contact.account_id == case.account_id
        assert case.opportunity.is_open
        ctas = list(Cta.objects.filter(case=case))
        assert len(ctas) == 1, case
        assert ctas[0].name == f"{case.account.name} - Ad-Hoc CSE Engagement Request"
        assert ctas[0].source == CtaSource.REALTIME
        assert TimelineEntry.objects.filter(
            account=case.account, kind="case", link=f"/cases/{case.pk}/"
        ).exists()


def test_cases_are_spread_over_offerings_priorities_and_opt_outs():
    cases = list(demo_cases())
    assert {c.offering_id for c in cases} == set(
        Offering.objects.active().values_list("pk", flat=True)
    )
    assert set(Counter(c.priority for c in cases)) == set(Priority.values)
    opted_out = sum(c.opt_out_outreach for c in cases)
    assert opted_out == 8


def test_about_half_the_ctas_are_taken_by_a_cse_who_covers_the_account():
    ctas = list(
        Cta.objects.filter(case__in=demo_cases()).select_related("account", "owner", "case")
    )
    by_status = Counter(c.status for c in ctas)
    assert by_status[CtaStatus.OPEN] == 20
    assert by_status[CtaStatus.IN_PROGRESS] >= 10
    assert by_status[CtaStatus.CLOSED] >= 2
    waiting = []
    for cta in ctas:
        if cta.status == CtaStatus.OPEN:
            assert cta.owner is None and cta.case.status == CaseStatus.OPEN
            continue
        assert cta.owner.has_role(Role.CSE)
        assert covers(cta.owner, cta.account), cta
        assert cta.accepted_at is not None
        expected = CaseStatus.CLOSED if cta.status == CtaStatus.CLOSED else CaseStatus.ACCEPTED
        assert cta.case.status == expected
        # The outreach went only where the account owner did not opt out, and ticked
        # "Reach out"; a just-accepted CTA's draft waits for its CSE to send it.
        reach_out = cta.tasks.get(title__startswith="Reach out").status
        if cta.outreach_message_id is not None:
            assert not cta.case.opt_out_outreach and reach_out == TaskStatus.DONE
        elif not cta.case.opt_out_outreach and cta.status != CtaStatus.CLOSED:
            assert reach_out == TaskStatus.OPEN
            waiting.append(cta)
    assert waiting and len(waiting) < sum(c.outreach_message_id is not None for c in ctas)
    outreach = OutboundMessage.objects.filter(idempotency_key__startswith="cta-outreach:")
    assert outreach.count() == sum(c.outreach_message_id is not None for c in ctas)


def test_some_ctas_are_under_way_and_closed_ones_have_their_tasks_done():
    tasks = CtaTask.objects.filter(cta__case__in=demo_cases())
    # Beyond the "Accept" step every accepted CTA ticks, some work was done.
    assert tasks.filter(status=TaskStatus.DONE, position__gt=2).exists()
    for cta in Cta.objects.filter(case__in=demo_cases(), status=CtaStatus.CLOSED):
        assert not cta.tasks.filter(status=TaskStatus.OPEN).exists(), cta


def test_requests_sit_in_every_state_of_the_review_workflow():
    requests = list(demo_requests().select_related("account__csm", "assigned_cse"))
    assert len(requests) == 16
    assert {r.state for r in requests} == set(RequestState.values)
    for request in requests:
        moves = list(request.transitions.order_by("at", "id"))
        assert (moves[0].from_state, moves[0].to_state) == ("", RequestState.REVIEW)
        assert moves[-1].to_state == request.state
        assert request.requested_by_id == request.account.csm_id
        assert request.stakeholders.exists()
        assert request.objective.success_plan.account_id == request.account_id
    assert (
        Transition.objects.filter(
            request__in=demo_requests(), to_state=RequestState.CLARIFICATION
        ).count()
        > Counter(r.state for r in requests)[RequestState.CLARIFICATION]
    )
    rejected = Transition.objects.filter(request__in=demo_requests(), to_state="rejected")
    assert rejected.exists() and all(t.reason_code and t.reason for t in rejected)


def test_qualified_requests_went_to_the_suggested_cse_and_carry_a_cta():
    qualified = Transition.objects.filter(
        request__in=demo_requests(), to_state=RequestState.STARTED
    ).select_related("request__account", "assigned_cse")
    assert qualified.count() >= 6
    for move in qualified:
        request = move.request
        assert request.assigned_cse_id == move.assigned_cse_id
        assert move.actor.username == "maria.manager"
        assert covers(move.assigned_cse, request.account)
        assert request.target_start_date <= TODAY
        cta = Cta.objects.get(request=request)
        assert cta.owner_id == request.assigned_cse_id
        closed = request.state == RequestState.CLOSED
        assert cta.status == (CtaStatus.CLOSED if closed else CtaStatus.IN_PROGRESS)


def test_office_hours_with_questions_answered_open_and_a_spot_call():
    sessions = OfficeHourSession.objects.select_related("cse")
    assert sessions.count() == 3
    assert all(s.cse.has_role(Role.CSE) for s in sessions)
    questions = list(Question.objects.select_related("session__cse", "account", "asked_by"))
    assert Counter(q.status for q in questions) == {
        QuestionStatus.OPEN: 2,
        QuestionStatus.ANSWERED: 1,
        QuestionStatus.SPOT: 1,
    }
    for question in questions:
        assert question.asked_by_id == question.account.csm_id
        assert question.session.cse.region == question.account.region
    spot = next(q for q in questions if q.status == QuestionStatus.SPOT)
    meeting = Meeting.objects.get(pk=spot.meeting_id)
    assert meeting.name == f"CSE: {spot.topic}"
    assert meeting.participants.filter(pk=spot.session.cse_id).exists()


def test_timeline_notes_from_a_csm_and_a_cse():
    notes = TimelineEntry.objects.filter(
        kind="note", account__crm_id__startswith="DEMO-"
    ).select_related("actor")
    assert sorted(n.actor.groups.get().name for n in notes) == [Role.CSE.label, Role.CSM.label]


def test_a_second_load_creates_nothing():
    models = (Case, Cta, CtaTask, EngagementRequest, Transition, Question, TimelineEntry)
    before = {model.__name__: model.objects.count() for model in models}
    again = load_on_today()
    assert again == dict.fromkeys(again, 0)
    assert before == {model.__name__: model.objects.count() for model in models}


def test_the_board_and_the_capacity_page_show_the_demo_to_the_manager(client):
    client.force_login(User.objects.get(username="maria.manager"))
    assert client.get(reverse("engagements:board")).status_code == 200
    for kind, columns in board.COLUMNS.items():
        for column in columns:
            url = reverse("engagements:board-column", args=[column.state])
            response = client.get(url, {"kind": kind}, headers=HTMX)
            assert response.status_code == 200, column
            assert 'data-card="' in response.content.decode(), f"{kind}: {column.label} is empty"
    capacity = client.get(reverse("engagements:capacity"))
    assert capacity.status_code == 200
    for cse in User.objects.with_role(Role.CSE):
        assert str(cse) in capacity.content.decode()
    for request in demo_requests():
        detail = client.get(reverse("engagements:detail", args=[request.pk]))
        assert detail.status_code == 200, request


def snapshot() -> dict[str, list]:
    """What the engagement generator chose, without ids or clock times."""
    cases = demo_cases().order_by("idempotency_key")
    requests = demo_requests().order_by("account__crm_id")
    return {
        "cases": list(
            cases.values_list(
                "idempotency_key",
                "account__crm_id",
                "opportunity__crm_id",
                "offering__name",
                "contact__email",
                "priority",
                "opt_out_outreach",
                "status",
                "cta__name",
                "cta__status",
                "cta__owner__username",
            )
        ),
        "tasks": list(
            CtaTask.objects.filter(cta__case__in=cases)
            .order_by("cta__case__idempotency_key", "position")
            .values_list("cta__case__idempotency_key", "position", "status")
        ),
        "requests": list(
            requests.values_list(
                "account__crm_id",
                "title",
                "state",
                "requested_by__username",
                "assigned_cse__username",
                "offering__name",
                "effort_kind",
                "duration_weeks",
                "hours_per_week",
                "target_start_date",
            )
        ),
        "stakeholders": sorted(
            requests.values_list(
                "account__crm_id",
                "stakeholders__name",
                "stakeholders__role_title",
                "stakeholders__responsibilities",
            )
        ),
        "transitions": list(
            Transition.objects.filter(request__in=requests)
            .order_by("request__account__crm_id", "id")
            .values_list(
                "request__account__crm_id",
                "from_state",
                "to_state",
                "actor__username",
                "reason_code",
                "assigned_cse__username",
                "over_capacity",
            )
        ),
        "questions": sorted(
            Question.objects.values_list(
                "account__crm_id", "topic", "status", "session__cse__username", "asked_by__username"
            )
        ),
        "notes": sorted(
            TimelineEntry.objects.filter(kind="note").values_list(
                "account__crm_id", "title", "actor__username"
            )
        ),
    }


def fingerprint(taken: dict[str, list]) -> str:
    def plain(value):
        return f"{value:.2f}" if isinstance(value, Decimal) else str(value)

    rows = {name: [[plain(v) for v in row] for row in table] for name, table in taken.items()}
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def test_the_engagements_are_the_same_on_every_database():
    assert fingerprint(snapshot()) == ENGAGEMENTS_FINGERPRINT


def test_closed_demo_ctas_say_what_was_done_and_why_the_rest_was_skipped():
    closed = CtaTask.objects.filter(cta__status=CtaStatus.CLOSED)
    assert closed.exists() and not closed.filter(status=TaskStatus.OPEN).exists()
    skipped = closed.filter(status=TaskStatus.SKIPPED, cta__request__isnull=True)
    assert skipped.filter(note__startswith="Skipped: The customer had what they needed").exists()
    assert closed.filter(status=TaskStatus.DONE, completed_by__isnull=False).exists()


def test_completed_demo_requests_say_which_deliverables_were_achieved_on_time():
    done = EngagementRequest.objects.filter(transitions__to_state=RequestState.COMPLETE).distinct()
    assert done.exists()
    for request in done:
        outcomes = list(request.deliverable_outcomes.all())
        assert [o.text for o in outcomes] == request.deliverables
    on_time = {o.on_time for r in done for o in r.deliverable_outcomes.all()}
    assert on_time == {True, False}  # the KPI has something to count either way
