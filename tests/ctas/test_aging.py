"""Late CTAs and tasks: the database finds the ones the rules mark, and every list
marks them the same way."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas import services
from rhythm.ctas.choices import CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask
from tests.factories import ContactFactory

# A Wednesday: the norms count business days back over a weekend.
TODAY = datetime(2026, 3, 4, 15, 0)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(TODAY), tick=False):
        yield timezone.localdate()


def _days_ago(n: int):
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=n), time(9)))


@pytest.fixture
def ctas(frozen, cast, case_data, account):
    """CTAs in every state, raised, accepted and due at every distance from today."""
    made = []
    grid = itertools.product(
        [CtaStatus.OPEN, CtaStatus.IN_PROGRESS, CtaStatus.CLOSED], [0, 1, 2, 5, 16], [-1, 0, 3]
    )
    for n, (status, raised_ago, due_in) in enumerate(grid):
        contact = ContactFactory(account=account)
        data = {**case_data, "contact": contact.pk, "duplicate_reason": f"Team {n}."}
        cta = cases.open_case(cast.account_owner, data).case.cta
        accepted = _days_ago(max(raised_ago - 1, 0)) if status != CtaStatus.OPEN else None
        Cta.objects.filter(pk=cta.pk).update(
            status=status,
            owner=cast.cse if status != CtaStatus.OPEN else None,
            raised_at=_days_ago(raised_ago),
            accepted_at=accepted,
            due_date=frozen + timedelta(days=due_in),
        )
        made.append(cta.pk)
    return made


def test_the_database_finds_exactly_the_ctas_the_rules_mark(ctas, frozen):
    marked = {cta.pk for cta in Cta.objects.filter(pk__in=ctas) if cta.aging}
    assert marked  # the grid holds late ones, and on-time ones
    assert marked != set(ctas)
    assert set(Cta.objects.filter(pk__in=ctas).late(frozen).values_list("pk", flat=True)) == marked


def test_a_closed_cta_is_never_late(ctas, frozen):
    assert not Cta.objects.filter(pk__in=ctas, status=CtaStatus.CLOSED).late(frozen).exists()


def test_the_cta_list_marks_late_ctas_and_filters_them(client, cast, frozen, cta_aged):
    client.force_login(cast.manager)
    html = client.get(reverse("ctas:list")).content.decode()
    assert 'data-aging="aging"' in html
    assert "Unaccepted for 3 business days; the norm is 1" in html  # its title: the reason
    late = client.get(reverse("ctas:list"), {"show": "late"}).content.decode()
    assert late.count('data-testid="cta-row"') == 1


@pytest.fixture
def cta_aged(frozen, cast, case_data):
    """One CTA raised last Friday, still unaccepted on Wednesday; one raised today."""
    old = cases.open_case(cast.account_owner, case_data).case.cta
    Cta.objects.filter(pk=old.pk).update(raised_at=_days_ago(5))
    fresh = {**case_data, "duplicate_reason": "Another team."}
    cases.open_case(cast.account_owner, fresh)
    return old


def test_an_overdue_task_is_marked_on_its_row(client, cast, case_data, covering_cse, frozen):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    services.accept(cta, cse=covering_cse, actor=covering_cse)
    CtaTask.objects.filter(cta=cta, position=3).update(due_date=frozen - timedelta(days=1))
    client.force_login(covering_cse)
    html = client.get(reverse("ctas:detail", args=[cta.pk])).content.decode()
    row = html.split('id="task-' + str(cta.tasks.get(position=3).pk))[1].split("</li>")[0]
    assert 'data-aging="overdue"' in row and "Due Tue 3 Mar, 1 business day ago" in row
    assert CtaTask.objects.overdue(frozen).get().position == 3
    done = cta.tasks.get(position=3)
    services.set_task_status(done, status=TaskStatus.DONE, actor=covering_cse)
    assert not CtaTask.objects.overdue(frozen).exists()


def test_the_api_says_why_a_cta_is_late_and_filters_on_it(api, cast, cta_aged):
    body = api(cast.manager).get("/ctas", late="true").json()
    assert [item["id"] for item in body["items"]] == [cta_aged.pk]
    assert body["items"][0]["aging"] == {
        "overdue": False,
        "aging": True,
        "reasons": ["Unaccepted for 3 business days; the norm is 1"],
    }
    on_time = api(cast.manager).get("/ctas", late="false").json()
    assert cta_aged.pk not in [item["id"] for item in on_time["items"]]
    assert on_time["count"] == 1
