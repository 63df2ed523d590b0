"""The home pages: what is late, for whom; the team's capacity this week for a manager."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.ctas.models import Cta, CtaTask
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.models import Meeting
from tests.factories import ContactFactory, UserFactory
from tests.query_counts.rows import build_stage, requests

TODAY = datetime(2026, 3, 4, 15, 0)  # a Wednesday


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(TODAY), tick=False):
        yield timezone.localdate()


def _days_ago(n: int):
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=n), time(9)))


@pytest.fixture
def late(frozen, cast, case_data, account, covering_cse):
    """An unaccepted CTA raised last Friday, a CTA of the CSE's with an overdue task,
    another CSE's CTA past its due date, and a request eight days in review."""
    unaccepted = cases.open_case(cast.account_owner, case_data).case.cta
    Cta.objects.filter(pk=unaccepted.pk).update(raised_at=_days_ago(5))

    def another(n: int) -> Cta:
        data = {**case_data, "contact": ContactFactory(account=account).pk}
        return cases.open_case(
            cast.account_owner, {**data, "duplicate_reason": f"Team {n}."}
        ).case.cta

    mine = another(1)
    ctas.accept(mine, cse=covering_cse, actor=covering_cse)
    CtaTask.objects.filter(cta=mine, position=3).update(due_date=frozen - timedelta(days=2))
    theirs = another(2)
    colleague = UserFactory(username="kenji.cse", roles=["cse"], covered_regions=[account.region])
    colleague.covered_segments.set([account.segment])
    ctas.accept(theirs, cse=colleague, actor=colleague)
    Cta.objects.filter(pk=theirs.pk).update(due_date=frozen - timedelta(days=1))
    (review,) = requests(build_stage(cast), 1, RequestState.REVIEW)
    EngagementRequest.objects.filter(pk=review.pk).update(state_changed_at=_days_ago(8))
    return {"unaccepted": unaccepted, "mine": mine, "theirs": theirs, "review": review}


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_sees_the_teams_late_work_with_why(client, cast, late):
    html = _home(client, cast.manager)
    assert 'data-testid="late-work"' in html and "Late work, the team&#x27;s" in html
    assert 'data-testid="late-total">3<' in html  # two CTAs and the request; tasks are the CSE's
    assert "Unaccepted for 3 business days; the norm is 1" in html
    assert "Due Tue 3 Mar, 1 business day ago" in html  # the colleague's CTA
    assert "In review for 6 business days; the norm is 2" in html
    assert late["review"].title in html


def test_a_managers_counts_stop_at_the_bound_and_say_so(client, cast, late, monkeypatch):
    """Home's counts are bounded (core.paging): past COUNT_AHEAD a kind says "+"
    rather than counting the whole team's work. A bound of 1 shows it on two CTAs."""
    monkeypatch.setattr("rhythm.core.paging.COUNT_AHEAD", 1)
    monkeypatch.setattr("rhythm.home.late.COUNT_AHEAD", 1)
    monkeypatch.setattr("rhythm.home.views.COUNT_AHEAD", 1)
    html = _home(client, cast.manager)
    assert 'data-testid="late-total">2+<' in html  # one CTA counted, then one request
    assert "1+ CTA, 1 request: past their due date" in html
    tiles = {
        label: figure
        for figure, label in re.findall(
            r'rh-figure">([^<]*)</span>\s*<span class="rh-figure-label">([^<]*)', html
        )
    }
    assert tiles["CTAs nobody has accepted"] == "1+"  # the unaccepted CTA and the stage's


def test_a_manager_sees_the_teams_capacity_this_week(client, cast, late, covering_cse):
    covering_cse.weekly_capacity_hours = Decimal("30")
    covering_cse.save()
    html = _home(client, cast.manager)
    section = html.split('data-testid="capacity-this-week"')[1]
    # One accepted CTA weighs RHYTHM_CTA_HOURS_PER_WEEK (2 h) on this week.
    assert f">{covering_cse}<" in section and "2 of 30 h · 0 engagements, 1 CTA" in section
    colleague = Cta.objects.get(pk=late["theirs"].pk).owner
    assert f">{colleague}<" in section and "2 of 40 h · 0 engagements, 1 CTA" in section
    assert section.count('data-testid="capacity-row"') == 2


def test_a_cse_sees_their_own_late_work_and_overdue_tasks(client, late, covering_cse):
    html = _home(client, covering_cse)
    assert "Late work, yours" in html
    assert "Schedule the call" in html and "Due Mon 2 Mar, 2 business days ago" in html
    section = html.split('data-testid="late-work"')[1]
    assert reverse("ctas:detail", args=[late["mine"].pk]) in section
    assert reverse("ctas:detail", args=[late["theirs"].pk]) not in section
    assert 'data-testid="capacity-this-week"' not in html  # a manager's


def test_an_account_owner_sees_the_late_ctas_of_their_cases(client, cast, late):
    html = _home(client, cast.account_owner)
    assert "Late work, on your cases" in html
    assert "Unaccepted for 3 business days" in html
    assert late["review"].title not in html  # a request is the CSM's


def test_nothing_late_says_so(client, cast, frozen):
    html = _home(client, cast.manager)
    assert 'data-testid="nothing-late"' in html


def test_a_cse_is_reminded_of_the_outreach_drafts_they_have_not_sent(
    client, cast, case_data, covering_cse
):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    html = _home(client, covering_cse)
    tiles = [t.split("</a>")[0] for t in html.split('data-testid="work-item"')[1:]]
    [card] = [t for t in tiles if "Outreach drafts for you to send" in t]
    assert '"rh-figure">1<' in card and "?show=outreach" in card
    listed = client.get(reverse("ctas:list"), {"show": "outreach"}).content.decode()
    assert listed.count('data-testid="cta-row"') == 1
    ctas.send_outreach(cta, actor=covering_cse)
    listed = client.get(reverse("ctas:list"), {"show": "outreach"}).content.decode()
    assert 'data-testid="cta-row"' not in listed


def test_your_next_call_shows_its_day_and_time_in_your_zone(client, cast, account, covering_cse):
    """The next call reads as docs/ui.md's `|when`: the weekday, the time and the
    viewer's zone (CET for a CSE in Berlin), not the date format alone."""

    covering_cse.time_zone = "Europe/Berlin"
    covering_cse.save()
    with time_machine.travel(timezone.make_aware(TODAY), tick=False):
        Meeting.objects.create(
            account=account,
            name="CSE: Runner autoscaling",
            kind=MeetingKind.SPOT,
            cse=covering_cse,
            created_by=covering_cse,
            status=MeetingStatus.SCHEDULED,
            scheduled_at=datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
        )
        html = _home(client, covering_cse)
    call = html.split('data-testid="next-call"')[1].split("</span>\n")[0]
    assert "Thu 5 Mar, 17:00 CET" in call
