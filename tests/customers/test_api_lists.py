"""Customer lists over /api/v1/: pagination and filters, history, and query counts
that do not grow with the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.customers.models import (
    Account,
    Contact,
    Objective,
    Opportunity,
    Segment,
    SuccessPlan,
)
from tests.core.test_api_auth_and_errors import assert_error
from tests.customers.conftest import account_body
from tests.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    SegmentFactory,
    SuccessPlanFactory,
)

# --- Lists: pagination and filters ---------------------------------------------------------


def test_pagination_with_limit_offset_and_count(api, cast, world):
    for n in range(1, 7):
        AccountFactory(name=f"Page {n:02d}")
    client = api(cast.admin)
    names = [a["name"] for a in client.get("/accounts", limit=500).json()["items"]]
    assert len(names) == 7
    assert names == sorted(names)
    first = client.get("/accounts", limit=3).json()
    assert first["count"] == 7
    assert [a["name"] for a in first["items"]] == names[:3]
    page = client.get("/accounts", limit=3, offset=3).json()
    assert [a["name"] for a in page["items"]] == names[3:6]
    last = client.get("/accounts", limit=3, offset=6).json()
    assert [a["name"] for a in last["items"]] == names[6:]
    beyond = client.get("/accounts", limit=3, offset=100).json()
    assert (beyond["items"], beyond["count"]) == ([], 7)


def test_the_default_page_is_fifty(api, cast, world):
    Account.objects.bulk_create(
        Account(
            name=f"Bulk {n:03d}",
            crm_id=f"BULK-{n}",
            segment=world.segment,
            region="AMER",
            arr=1,
            lam=1,
        )
        for n in range(60)
    )
    body = api(cast.admin).get("/accounts").json()
    assert (len(body["items"]), body["count"]) == (50, 61)


@pytest.fixture
def filterable(cast, world):
    enterprise = SegmentFactory(name="Enterprise", arr_floor=250_000, arr_ceiling=10_000_000)
    AccountFactory(
        name="Globex",
        crm_id="SF-GLOBEX",
        segment=enterprise,
        region="EMEA",
        industry="Energy",
        renewal_date=date(2030, 6, 1),
    )
    AccountFactory(
        name="Initech",
        crm_id="SF-INITECH",
        segment=enterprise,
        region="APAC",
        industry="Software",
        csm=cast.csm,
        renewal_date=date(2031, 6, 1),
    )
    AccountFactory(
        name="Umbrella",
        crm_id="SF-UMB",
        segment=world.segment,
        region="EMEA",
        industry="Pharma",
        account_owner=cast.account_owner,
    )
    return enterprise


def names_for(client, **params) -> list[str]:
    response = client.get("/accounts", **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return [a["name"] for a in body["items"]]


def test_account_filters(api, cast, world, filterable):
    client = api(cast.admin)
    mine = world.account.name
    assert names_for(client, segment=filterable.pk) == ["Globex", "Initech"]
    assert names_for(client, region="EMEA") == ["Globex", "Umbrella"]
    assert names_for(client, segment=filterable.pk, region="EMEA") == ["Globex"]
    assert names_for(client, q="glob") == ["Globex"]
    assert names_for(client, q="sf-initech") == ["Initech"]  # a CRM id, whole
    assert names_for(client, q="pharma") == ["Umbrella"]  # an industry
    assert names_for(client, owner=cast.account_owner.pk) == sorted([mine, "Umbrella"])
    assert names_for(client, csm=cast.csm.pk) == sorted([mine, "Initech"])
    assert names_for(client, renewal_before="2030-12-31") == ["Globex"]
    assert names_for(client, segment=999_999) == []
    assert_error(client.get("/accounts", segment=10**30), 422, "segment", "less_than_equal")
    assert names_for(client, region="MARS") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"segment": "abc"}, "segment"),
        ({"q": "x" * 101}, "q"),
        ({"q": "bad\x00"}, "q"),
        ({"region": "\x00"}, "region"),
        ({"renewal_before": "yesterday"}, "renewal_before"),
        ({"archived": "maybe"}, "archived"),
    ],
)
def test_bad_filters_are_named(api, cast, world, params, field):
    assert_error(api(cast.admin).get("/accounts", **params), 422, field)


def test_filters_apply_within_what_a_role_may_see(api, cast, world, filterable):
    assert names_for(api(cast.csm), region="APAC") == ["Initech"]
    assert names_for(api(cast.account_owner), region="APAC") == []


@pytest.mark.parametrize("path", ["/contacts", "/opportunities", "/success-plans"])
def test_children_filter_by_account_and_name(api, cast, world, path):
    other = AccountFactory(name="Other")
    ContactFactory(account=other, name="Zed")
    OpportunityFactory(account=other, name="Zed deal")
    SuccessPlanFactory(account=other, name="Zed plan")
    client = api(cast.admin)
    by_account = client.get(path, account=other.pk).json()
    assert by_account["count"] == 1
    assert by_account["items"][0]["account"] == other.pk
    assert client.get(path, q="zed").json()["count"] == 1
    assert_error(client.get(path, q="\x00"), 422, "q", "null_characters")


def test_segment_search(api, cast, world):
    names = [s["name"] for s in api(cast.cse).get("/segments", q="spa").json()["items"]]
    assert names == ["Spare"]


# --- History ----------------------------------------------------------------------------------


def test_every_change_through_the_api_records_who(api, cast, world):
    client = api(cast.cs_ops)
    created = client.post("/accounts", account_body(world)).json()
    client.patch(f"/accounts/{created['id']}", {"arr": "1"})
    api(cast.manager).patch(f"/accounts/{created['id']}", {"lam": "2"})
    api(cast.admin).post(f"/accounts/{created['id']}/archive")
    history = Account.objects.get(pk=created["id"]).history.order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [
        ("+", cast.cs_ops),
        ("~", cast.cs_ops),
        ("~", cast.manager),
        ("~", cast.admin),
    ]
    assert [str(h.arr) for h in history] == ["150000.00", "1.00", "1.00", "1.00"]


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/contacts/{contact}", {"title": "CTO"}, Contact),
        ("/opportunities/{opportunity}", {"amount": "5"}, Opportunity),
        ("/success-plans/{plan}", {"summary": "New"}, SuccessPlan),
        ("/objectives/{objective}", {"progress": 90}, Objective),
    ],
)
def test_history_of_children_records_who(api, cast, world, path, body, model):
    ids = {
        "contact": world.contact.pk,
        "opportunity": world.opportunity.pk,
        "plan": world.plan.pk,
        "objective": world.objective.pk,
    }
    response = api(cast.admin).patch(path.format(**ids), body)
    assert response.status_code == 200, response.content
    latest = model.objects.get(pk=response.json()["id"]).history.first()
    assert (latest.history_type, latest.history_user) == ("~", cast.admin)


# --- Query counts do not grow with rows -------------------------------------------------------


def queries_for(client, path: str, **params) -> tuple[int, dict]:
    client.get(path, **params)  # warm up: the token's last-use stamp is written once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **params)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def add_accounts(segment: Segment, count: int, start: int, **fields: Any) -> list[Account]:
    return Account.objects.bulk_create(
        Account(
            name=f"Bulk {n:04d}",
            crm_id=f"BULK-{n:04d}",
            segment=segment,
            region=("AMER", "EMEA", "APAC")[n % 3],
            arr=Decimal(n),
            lam=Decimal(n * 2),
            **fields,
        )
        for n in range(start, start + count)
    )


@pytest.mark.parametrize("role", ["admin", "csm"])
def test_the_account_list_costs_the_same_for_10_and_500_rows(api, cast, role):
    segment = SegmentFactory(name="Bulk")
    client = api(getattr(cast, role))
    owner = {"csm": cast.csm}
    add_accounts(segment, 10, 0, **owner)
    small, body = queries_for(client, "/accounts", limit=500)
    assert body["count"] == 10
    add_accounts(segment, 490, 10, **owner)
    large, body = queries_for(client, "/accounts", limit=500)
    assert (body["count"], len(body["items"])) == (500, 500)
    # The token, the user's permissions, the count, the page.
    assert small == large == 4


def test_the_success_plan_list_costs_the_same_for_10_and_500_rows(api, cast):
    segment = SegmentFactory(name="Bulk")
    client = api(cast.admin)

    def add_plans(count: int, start: int) -> None:
        accounts = add_accounts(segment, count, start)
        plans = SuccessPlan.objects.bulk_create(
            SuccessPlan(account=a, name=f"Plan {a.crm_id}") for a in accounts
        )
        Objective.objects.bulk_create(
            Objective(success_plan=p, title=f"{p.name} #{i}", progress=10 * i)
            for p in plans
            for i in range(2)
        )

    add_plans(10, 0)
    small, body = queries_for(client, "/success-plans", limit=500)
    assert body["count"] == 10
    add_plans(490, 10)
    large, body = queries_for(client, "/success-plans", limit=500)
    assert (body["count"], len(body["items"])) == (500, 500)
    assert all(len(plan["objectives"]) == 2 for plan in body["items"])
    # The token, the user's permissions, the count, the page, its objectives.
    assert small == large == 5


@pytest.mark.parametrize("path", ["/contacts", "/opportunities", "/segments"])
def test_other_lists_cost_the_same_for_10_and_500_rows(api, cast, path):
    segment = SegmentFactory(name="Bulk")

    def add(count: int, start: int) -> None:
        if path == "/segments":
            Segment.objects.bulk_create(
                Segment(name=f"Seg {n}", arr_floor=0, arr_ceiling=n)
                for n in range(start, start + count)
            )
            return
        accounts = add_accounts(segment, count, start)
        if path == "/contacts":
            Contact.objects.bulk_create(
                Contact(account=a, name=f"C {a.crm_id}", email=f"{a.crm_id}@x.example")
                for a in accounts
            )
        else:
            Opportunity.objects.bulk_create(
                Opportunity(account=a, crm_id=f"O-{a.crm_id}", name="Deal") for a in accounts
            )

    client = api(cast.admin)
    add(10, 0)
    small, _ = queries_for(client, path, limit=500)
    add(490, 10)
    large, body = queries_for(client, path, limit=500)
    assert len(body["items"]) >= 490
    assert small == large
