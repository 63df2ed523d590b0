"""The capacity page through the HTTP client: every CSE's weeks, in constant queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.engagements import capacity, services
from rhythm.people.choices import Role
from tests.engagements.helpers import STAKEHOLDER
from tests.engagements.helpers import move as _move
from tests.engagements.helpers import service_data as _service_data
from tests.engagements.helpers import signed_in as _as
from tests.factories import UserFactory


def _load(cses, cast, account, objective, case_data) -> None:
    """One started engagement and one open CTA for each CSE."""
    # One objective and one offering for them all: each filing after the first says why.
    again = {"duplicate_reason": "Another phase of the same objective."}
    case_data = {**case_data, **again}
    for cse in cses:
        request = services.file_request(
            cast.csm, {**_service_data(account, objective), **again}, [STAKEHOLDER]
        )
        _move(
            request,
            cast.manager,
            "started",
            cse=cse.pk,
            confirm_over_capacity=True,
            override_reason="Covers for the team",
        )
        cta = cases.open_case(cast.account_owner, case_data).case.cta
        ctas.accept(cta, cse=cse, actor=cse, override_reason="Covers for the team")


def test_the_capacity_page_shows_every_cses_weeks(client, cast, covering_cse, request_):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, cast.manager)
    html = client.get(reverse("engagements:capacity")).content.decode()
    row = re.search(
        rf'<a class="rh-person" href="/team/{covering_cse.pk}/">.*?</tr>', html, re.S
    ).group(0)
    assert row.count("<td") == 11  # capacity, engagements, CTAs and eight weeks
    assert ">1</td>" in row  # one active engagement
    assert "table-success" in row


def test_the_capacity_page_says_when_there_is_no_cse(client, cast):
    cast.cse.groups.clear()
    _as(client, cast.manager)
    assert "No CSEs yet." in client.get(reverse("engagements:capacity")).content.decode()


def test_the_capacity_page_queries_do_not_grow_with_cses_and_engagements(
    client, cast, account, objective, case_data
):
    _load([cast.cse], cast, account, objective, case_data)
    _as(client, cast.manager)
    url = reverse("engagements:capacity")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more = UserFactory.create_batch(8, roles=[Role.CSE])
    _load(more, cast, account, objective, case_data)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert html.count("/team/") >= 9


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_the_started_engagements_are_read_down_the_state_and_cse_index(db, cast):
    """Capacity reads the started engagements of the CSEs it lists, unordered. Ordered
    by the model's default (newest first), SQLite walked every request down the created
    index instead (6.6 ms at 20,000 requests in `make bench`, against 0.4)."""
    with CaptureQueriesContext(connection) as captured:
        capacity.capacity()
    (read,) = [q["sql"] for q in captured if ' FROM "engagements_engagementrequest"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {read}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert " ORDER BY " not in read
    assert not [step for step in plan if step.startswith("SCAN")], plan
