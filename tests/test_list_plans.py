"""Every list of issue 10's target 4 reads its rows down an index: SQLite's plans.

A list whose statement sorts what it may see ("USE TEMP B-TREE FOR ORDER BY") or
reads a whole big table ("SCAN ctas_cta", no index) costs what the database holds,
not what the page shows, however few queries it makes (tests/test_query_counts.py
pins those). Each list here is given rows by its query-count maker
(tests/query_counts/rows.py), the tables are ANALYZEd so that the planner chooses
as it would on a grown database, and every statement of the page that reads a big
table is explained (EXPLAIN QUERY PLAN), for a CSE manager (no access filter) and
for an account owner (their accounts only).

Only each page's main statement is judged (the page of rows in the list's order):
a bounded count (core.paging) scans at most 1,001 rows, a prefetch reads the
page's own rows. The account owner may sort their own rows (a hundredth of the
world: the right plan for them); the manager may not. ALLOWED says why a
statement is let off.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.query_counts.rows import build_stage
from tests.test_query_counts import LISTINGS, Listing, _url

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN"
)

ROWS = 1500
BIG_TABLES = {
    "customers_account",
    "cases_case",
    "ctas_cta",
    "ctas_ctatask",
    "ctas_historicalctatask",
    "engagements_engagementrequest",
    "timeline_timelineentry",
}
# Target 4's lists: accounts, cases, CTAs, requests, board, capacity, home, timeline.
TARGETS = (
    "GET /accounts",
    "GET /cases",
    "GET /ctas",
    "GET /requests",
    "GET /capacity",
    "GET /accounts/{account_id}/timeline",
    "home",
    "customers:account-list",
    "customers:account-tab · timeline",
    "cases:list",
    "ctas:list",
    "engagements:list",
    "engagements:board",
    "engagements:capacity",
    "timeline:account",
)
# (list, a fragment of the statement) -> why its plan may sort what it chose: the
# statement is still judged for scans (its subqueries walk their indexes).
SORTS: dict[tuple[str, str], str] = {
    ("engagements:board", "UNION ALL"): "the board sorts the cards its cells chose, at most"
    " 50 a column or 6 a cell; each cell's LIMITed subquery walks its index",
}
# (list, a fragment of the statement) -> why it is let off altogether: known, left
# to do, and said so.
ALLOWED: dict[tuple[str, str], str] = {}  # none left


def _entries() -> list[Listing]:
    # The suggestions' list (GET /requests/{id}/suggestions) is the team's, refused
    # to an account owner: not one of target 4's.
    return [e for e in LISTINGS if e.name.startswith(TARGETS) and "suggestions" not in e.name]


def _plan(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


def _is_page(sql: str) -> bool:
    """A list's main statement: a page of rows, in the list's order (not a count, nor
    a prefetch of the page's own rows, which has no LIMIT)."""
    return sql.startswith("SELECT") and " ORDER BY " in sql and re.search(r" LIMIT \d+", sql)


def _faults(plan: list[str], sees_all: bool) -> list[str]:
    found = []
    for step in plan:
        # Sorting what one account owner sees (a hundredth of the world) is the right
        # plan for them; sorting what a manager sees is sorting everything.
        if sees_all and "USE TEMP B-TREE FOR ORDER BY" in step:
            found.append(step)
        scanned = re.match(r"SCAN (\w+)(?: AS \w+)?$", step)
        if scanned and scanned.group(1) in BIG_TABLES:
            found.append(step)
    return found


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e.name)
def test_a_list_reads_down_an_index(cast, entry):
    stage = build_stage(cast)
    entry.make(stage, ROWS)
    spread = getattr(entry.make, "__wrapped__", None)
    if spread is not None:
        # An account's (or an opportunity's) own list: its rows are a share of the
        # table's, as on a grown database, else the statistics say that one account
        # holds every row and a scan is the planner's right choice.
        spread(stage, ROWS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    url = _url(entry, stage)
    headers = {"HX-Request": "true"} if entry.htmx else {}
    faults = []
    for viewer, user in stage.viewers.items():
        http = Client()
        http.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = http.get(url, headers=headers)
        assert response.status_code == 200, f"{entry.name} as {viewer}: {response.status_code}"
        statements = [q["sql"] for q in captured.captured_queries]
        for sql in statements:
            read = re.search(r' FROM "(\w+)"', sql)
            if not _is_page(sql) or not read or read.group(1) not in BIG_TABLES:
                continue
            if any(entry.name.startswith(name) and part in sql for (name, part) in ALLOWED):
                continue
            sorts = any(entry.name.startswith(name) and part in sql for (name, part) in SORTS)
            # The captured SQL has its parameters quoted in: explain it as it ran.
            bad = _faults(_plan(sql, None), sees_all=viewer == "manager" and not sorts)
            if bad:
                faults.append(f"{viewer}: {'; '.join(bad)} in {sql[:300]}")
    assert not faults, f"{entry.name}:\n" + "\n".join(faults)
