"""The dashboards, the rows behind a figure, the CSVs, the QBR and GET /api/v1/kpis,
through the HTTP client: the page and the API give the same figures."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.kpis import definitions
from tests.kpis.conftest import NOV
from tests.query_counts import rows as bulk
from tests.query_counts.rows import build_stage

pytestmark = pytest.mark.usefixtures("frozen")


def _page_figures(html: str) -> dict[str, str]:
    """Each KPI's headline as the page shows it: its data-value."""
    found = re.findall(
        r'data-kpi="(\w+)">.*?data-testid="kpi-value" data-value="([^"]*)"', html, re.S
    )
    return dict(found)


def _page_tables(html: str) -> dict[str, list[list[str]]]:
    tables = {}
    for key, body in re.findall(r'data-testid="table-(\w+)">.*?<tbody>(.*?)</tbody>', html, re.S):
        tables[key] = [
            [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
            ]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
            if "rh-empty-cell" not in tr
        ]
    return tables


def _number(text: str) -> float | None:
    return None if text in ("", "—") else float(text.replace(",", ""))


@pytest.mark.parametrize("filters", [{}, {"region": "EMEA"}, {"cse": "me"}])
def test_the_dashboard_and_the_api_give_the_same_figures(client, api, team, filters):
    manager = team.cast.manager
    query = {"period": NOV, **filters}
    if query.get("cse") == "me":
        query["cse"] = str(team.cast.cse.pk)
    client.force_login(manager)
    page = client.get("/kpis/team/", query)
    assert page.status_code == 200
    html = page.content.decode()
    answer = api(manager).get("/kpis", **query)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["period"]["key"] == NOV
    on_page, tables = _page_figures(html), _page_tables(html)
    assert set(on_page) == {kpi["key"] for kpi in body["kpis"]} == set(definitions.BY_KEY)
    for kpi in body["kpis"]:
        shown = _number(on_page[kpi["key"]])
        assert shown == (None if kpi["value"] is None else float(kpi["value"])), kpi["key"]
        rows = tables.get(kpi["key"], [])
        assert [r[0] for r in rows] == [r["label"] for r in kpi["rows"]], kpi["key"]
        for shown_row, row in zip(rows, kpi["rows"], strict=True):
            assert [_number(c) for c in shown_row[1:]] == [
                None if v is None else float(v) for v in row["values"]
            ], kpi["key"]


def test_each_definition_is_on_the_page_for_hovering(client, team):
    client.force_login(team.cast.manager)
    html = client.get("/kpis/team/", {"period": NOV}).content.decode()
    for kpi in definitions.KPIS:
        assert f'title="{kpi.definition}"'.replace("'", "&#x27;") in html


def test_a_bad_filter_is_refused_by_its_name_on_the_page_and_in_the_api(client, api, team):
    client.force_login(team.cast.manager)
    page = client.get("/kpis/team/", {"period": "last year", "segment": "999999"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'data-field="period"' in html and "is no period: a month (2026-11)" in html
    assert 'data-field="segment"' in html and 'data-testid="kpi-grid"' not in html
    answer = api(team.cast.manager).get("/kpis", period="last year", segment=999999)
    assert answer.status_code == 422
    assert {(e["field"], e["rule"]) for e in answer.json()["errors"]} == {
        ("period", "invalid_period"),
        ("segment", "invalid_choice"),
    }
    csv_answer = client.get("/kpis/csat/table.csv", {"region": "Mars"})
    assert csv_answer.status_code == 422 and b"region:" in csv_answer.content


def test_a_cse_sees_their_own_figures_whatever_they_ask(client, api, team):
    cse = team.cast.cse
    client.force_login(cse)
    assert client.get("/kpis/").url == "/kpis/mine/"
    assert client.get("/kpis/team/").status_code == 403
    html = client.get("/kpis/mine/", {"period": NOV}).content.decode()
    assert 'name="cse"' not in html  # no CSE filter on one's own page
    assert _page_figures(html)["csat"] == "3.67"  # not the other CSE's 1
    theirs = api(cse).get("/kpis", period=NOV, cse=team.other_cse.pk).json()
    assert theirs["cse"] == cse.pk
    assert api(team.cast.account_owner).get("/kpis").status_code == 403


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv"
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_each_table_downloads_as_csv(client, team):
    client.force_login(team.cast.manager)
    table = _csv(client.get("/kpis/volume_by_region/table.csv", {"period": NOV}))
    assert table == [["Group", "Requests"], ["EMEA", "4"], ["AMER", "1"]]
    docs = _csv(client.get("/kpis/docs_updated/rows.csv", {"period": NOV, "bucket": "linked"}))
    assert docs[0] == ["Engagement", "Account", "Completed", "Doc", "Reason for none"]
    assert [r[0] for r in docs[1:]] == ["done_link"]


def test_a_figure_drills_down_to_its_rows(client, team):
    client.force_login(team.cast.manager)
    page = client.get("/kpis/volume_by_region/rows/", {"period": NOV, "bucket": "EMEA"})
    html = page.content.decode()
    assert 'data-testid="rows-count">4 rows<' in html
    for title in ("done_link", "done_none", "rejected", "running"):
        assert f">{title}</a>" in html
    assert ">done_unasked</a>" not in html  # AMER's
    unknown = client.get("/kpis/no_such_kpi/rows/")
    assert unknown.status_code == 404


def test_the_qbr_lists_the_accounts_review_and_prints(client, team):
    client.force_login(team.cast.account_owner)
    page = client.get(f"/kpis/accounts/{team.emea.pk}/qbr/", {"period": NOV})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="qbr-csat">3.67<' in html and 'data-testid="qbr-nps">25<' in html
    for title in ("done_link", "rejected", "running"):
        assert f">{title}</a>" in html
    assert "EMEA plan" in html and 'data-testid="qbr-escalations"' in html
    assert "kpis/kpis.css" in html  # its print styles
    # Another owner's account is no QBR of theirs.
    assert client.get(f"/kpis/accounts/{team.amer.pk}/qbr/").status_code == 404
    tab = client.get(f"/accounts/{team.emea.pk}/qbr/", {"period": NOV})
    assert tab.status_code == 200 and b'data-testid="qbr-open"' in tab.content


def test_the_api_answers_in_as_many_queries_at_any_size(api, cast):
    stage = build_stage(cast)
    manager = api(cast.manager)
    manager.get("/kpis")  # fills the process's caches
    counts = []
    for n in (10, 300):
        bulk.kpi_work(stage, n)
        with CaptureQueriesContext(connection) as captured:
            answer = manager.get("/kpis")
        assert answer.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    volume = next(k for k in json.loads(answer.content)["kpis"] if k["key"] == "volume_by_month")
    assert volume["value"] >= 310 * 2  # completed and rejected requests, both sizes
