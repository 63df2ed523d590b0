"""core.paging: counts that stop a bound past the page asked for, in the UI and the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.core import paging
from rhythm.customers.models import Account
from tests.query_counts import rows
from tests.query_counts.rows import build_stage


@pytest.fixture
def stage(cast):
    return build_stage(cast)


def test_a_count_below_the_bound_is_exact(stage):
    rows.accounts(stage, 12)
    total = Account.objects.count()
    assert paging.bounded_count(Account.objects.all(), ahead=total) == (total, False)
    assert paging.bounded_count(Account.objects.all(), ahead=total - 1) == (total, True)


def test_the_bound_is_counted_from_the_page_asked_for(stage):
    rows.accounts(stage, 12)
    total = Account.objects.count()
    counted, capped = paging.bounded_count(Account.objects.all(), start=10, ahead=1)
    assert (counted, capped) == (12, True)
    assert paging.bounded_count(Account.objects.all(), start=10, ahead=total) == (total, False)


def test_a_bounded_count_is_one_statement_with_a_limit(stage):
    with CaptureQueriesContext(connection) as queries:
        paging.bounded_count(Account.objects.order_by("name"), start=50)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "COUNT(" in sql.upper() and "LIMIT 1051" in sql.upper()
    assert "ORDER BY" not in sql.upper()  # a count needs no order


def _account_list(client, user, page=1):
    client.force_login(user)
    response = client.get(f"/accounts/?page={page}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_account_list_says_of_n_plus_past_the_bound(client, stage, monkeypatch):
    rows.accounts(stage, 60)
    total = Account.objects.count()
    html = _account_list(client, stage.cast.manager)
    assert f"of {total} accounts" in html
    monkeypatch.setattr(paging, "COUNT_AHEAD", 30)
    html = _account_list(client, stage.cast.manager)
    assert "1–25 of 30+ accounts" in html
    assert "Page 1 of 2+" in html
    # Paging on counts on from the page asked for.
    assert "26–50 of 55+ accounts" in _account_list(client, stage.cast.manager, page=2)
    assert f"51–{total} of {total} accounts" in _account_list(client, stage.cast.manager, page=3)


def test_the_api_page_has_no_count_past_the_bound(client, stage, monkeypatch):
    rows.accounts(stage, 20)
    total = Account.objects.count()
    client.force_login(stage.cast.manager)
    page = client.get("/api/v1/accounts?limit=5").json()
    assert (page["count"], page["count_capped"]) == (total, False)
    monkeypatch.setattr(paging, "COUNT_AHEAD", 10)
    page = client.get("/api/v1/accounts?limit=5").json()
    assert (page["count"], page["count_capped"], len(page["items"])) == (None, True, 5)
    page = client.get(f"/api/v1/accounts?limit=5&offset={total - 5}").json()
    assert (page["count"], page["count_capped"]) == (total, False)
