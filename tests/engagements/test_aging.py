"""Late engagement requests: the database finds the ones the rules mark, and the
request list marks them."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rhythm.engagements.choices import EffortKind, RequestState
from rhythm.engagements.models import EngagementRequest
from tests.query_counts.rows import build_stage, requests

TODAY = datetime(2026, 3, 4, 15, 0)  # a Wednesday


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(TODAY), tick=False):
        yield timezone.localdate()


def _days_ago(n: int):
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=n), time(9)))


@pytest.fixture
def grid(frozen, cast):
    """Requests in every state, entered and starting at every distance from today,
    one-off or of one or ten weeks."""
    stage = build_stage(cast)
    made = []
    shapes = itertools.product(list(RequestState), [0, 5, 16], [-70, -1, 10], [None, 1, 10])
    for state, entered_ago, start_in, weeks in shapes:
        (request,) = requests(stage, 1, state, spread=False)
        EngagementRequest.objects.filter(pk=request.pk).update(
            state_changed_at=_days_ago(entered_ago),
            target_start_date=frozen + timedelta(days=start_in),
            effort_kind=EffortKind.ONE_OFF if weeks is None else EffortKind.DURATION,
            duration_weeks=weeks,
        )
        made.append(request.pk)
    return made


def test_the_database_finds_exactly_the_requests_the_rules_mark(grid, frozen):
    rows = EngagementRequest.objects.filter(pk__in=grid)
    marked = {r.pk for r in rows if r.aging}
    assert marked and marked != set(grid)
    assert set(rows.late(frozen).values_list("pk", flat=True)) == marked
    # Every kind of lateness is in the grid: past the norm, past the target start,
    # past the planned end.
    reasons = {reason.split(" ")[0] for r in rows for reason in r.aging.reasons}
    assert {"In", "Target", "Planned", "Complete", "Rejected", "Waiting"} <= reasons


def test_the_request_list_marks_late_requests_and_filters_them(client, cast, frozen):
    stage = build_stage(cast)
    (late,) = requests(stage, 1, RequestState.REVIEW)
    EngagementRequest.objects.filter(pk=late.pk).update(state_changed_at=_days_ago(8))
    client.force_login(cast.manager)
    html = client.get(reverse("engagements:list")).content.decode()
    assert html.count('data-testid="aging-mark"') == 1
    assert "In review for 6 business days; the norm is 2" in html
    only = client.get(reverse("engagements:list"), {"late": "1"}).content.decode()
    assert only.count('data-testid="request-row"') == 1 and late.title in only


def test_the_api_says_why_a_request_is_late(api, cast, frozen):
    stage = build_stage(cast)
    (late,) = requests(stage, 1, RequestState.CLARIFICATION)
    EngagementRequest.objects.filter(pk=late.pk).update(state_changed_at=_days_ago(7))
    body = api(cast.manager).get("/requests", late="true").json()
    assert [item["id"] for item in body["items"]] == [late.pk]
    assert body["items"][0]["aging"]["reasons"] == [
        "Waiting for the CSM's answer for 5 business days; the norm is 3"
    ]


def test_the_request_page_says_why_it_is_late(client, cast, frozen):
    stage = build_stage(cast)
    (late,) = requests(stage, 1, RequestState.REVIEW)
    EngagementRequest.objects.filter(pk=late.pk).update(state_changed_at=_days_ago(8))
    client.force_login(cast.manager)
    html = client.get(reverse("engagements:detail", args=[late.pk])).content.decode()
    meta = html.split('data-testid="request-aging"')[1]
    assert "In review for 6 business days; the norm is 2" in meta
    on_time = client.get(reverse("engagements:detail", args=[stage.request.pk])).content.decode()
    assert 'data-testid="request-aging"' not in on_time
