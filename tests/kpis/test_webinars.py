"""The webinars dashboard: November 2026's events as webinars records them, every
figure counted by hand; the page, the API and the CLI agree; the rows, the CSVs, a
bad filter, who may open it, and its query count as the events grow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import count

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.kpis import definitions, rules
from rhythm.kpis.figures import Filters, Scope
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse
from rhythm.webinars.choices import Kind, RegistrationStatus, WebinarStatus
from rhythm.webinars.models import Redemption, Registration, Webinar
from tests.factories import AccountFactory, ContactFactory
from tests.kpis.conftest import NOV, NOW
from tests.kpis.test_pages_and_api import _csv, _page_figures, _page_tables

pytestmark = pytest.mark.usefixtures("frozen")
_serial = count(1)


def nov(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _event(title, kind, region, starts_at, status=WebinarStatus.DELIVERED):
    return Webinar.objects.create(
        title=title, kind=kind, region=region, starts_at=starts_at, status=status
    )


def _register(event, status=RegistrationStatus.CONFIRMED, attended=False, redeemed=False):
    n = next(_serial)
    registration = Registration.objects.create(
        webinar=event,
        name=f"Visitor {n}",
        email=f"visitor{n}@example.com",
        company="Initech",
        consent_at=event.starts_at - timedelta(days=7),
        status=status,
        token_hash=f"{n:064x}",
        attended=attended,
    )
    if redeemed:
        Redemption.objects.create(
            registration=registration,
            webinar=event,
            redeemed_at=event.starts_at,
            access_ends_at=event.starts_at + timedelta(days=2),
        )
    return registration


def _survey(subject, score, contact):
    n = next(_serial)
    survey = Survey.objects.create(
        kind=SurveyKind.CSAT,
        account=contact.account,
        contact=contact,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        about=str(subject),
        token_hash=f"{n + 10**6:064x}",
        sent_at=NOW - timedelta(days=5),
        expires_at=NOW + timedelta(days=25),
        answered_at=NOW - timedelta(days=4) if score is not None else None,
    )
    if score is not None:
        SurveyResponse.objects.create(survey=survey, score=score)


@pytest.fixture
def calendar(db):
    """November's events, and what each KPI should find (in the comments)."""
    lab = _event("Security lab", Kind.LAB, "EMEA", nov(10))
    for attended, redeemed in ((True, True), (True, True), (True, False), (False, False)):
        _register(lab, attended=attended, redeemed=redeemed)
    _register(lab, RegistrationStatus.PENDING)  # never confirmed: not counted
    _register(lab, RegistrationStatus.CANCELLED)
    webinar = _event("CI webinar", Kind.WEBINAR, "AMER", nov(20))
    _register(webinar, attended=True)
    _register(webinar)
    _register(webinar)
    # Tonight's webinar: registered, not held yet (no attendance rate).
    tonight = _event("Tonight", Kind.WEBINAR, "AMER", nov(30, 18), WebinarStatus.PUBLISHED)
    _register(tonight)
    _register(tonight)
    # Not counted: a draft, a cancelled event, December's.
    _register(_event("Draft", Kind.LAB, "EMEA", nov(15), WebinarStatus.DRAFT))
    _register(_event("Off", Kind.WEBINAR, "EMEA", nov(16), WebinarStatus.CANCELLED))
    _register(_event("December", Kind.WEBINAR, "AMER", nov(30) + timedelta(days=5)))
    # The post-event surveys, by their subject: the lab's 5, 4 and one unanswered, the
    # webinar's 2; a survey about an account is no event's.
    contact = ContactFactory(account=AccountFactory())
    for subject, score in ((lab, 5), (lab, 4), (lab, None), (webinar, 2)):
        _survey(subject, score, ContactFactory(account=contact.account))
    _survey(contact.account, 1, contact)
    return {"lab": lab, "webinar": webinar, "tonight": tonight}


def _figures(user, **filters):
    period = rules.parse_period(NOV, today=NOW.date(), start_month=2)
    scope = Scope(user, Filters(period, **filters), NOW)
    return {kpi.key: figure for kpi, figure in definitions.compute_webinars(scope)}


def test_each_figure_is_the_one_counted_by_hand(cast, calendar):
    got = _figures(cast.program_manager)
    attendance = got["webinar_attendance"]
    # 3 events; 4 + 3 + 2 confirmed; 3 + 1 attended of the 7 registered for events held.
    assert attendance.value == 57.1
    assert [r.values for r in attendance.rows] == [(3, 9, 4, 57.1)]
    events = got["webinar_events"]
    assert events.value == 3
    assert [r.values for r in events.rows] == [
        ("Hands-on lab", 4, 3, 75.0, 2, 2, 4.5),
        ("Webinar", 3, 1, 33.3, None, 1, 2.0),
        ("Webinar", 2, 0, None, None, 0, None),
    ]
    redemptions = got["webinar_redemptions"]
    assert redemptions.value == 2 and redemptions.rows[0].values == (4, 2, 50.0)
    survey = got["webinar_survey"]
    assert survey.value == pytest.approx(3.67, abs=0.01)
    assert survey.rows[0].values == (4, 3, pytest.approx(3.67, abs=0.01))
    scores = {r.bucket: r.values[0] for r in got["webinar_survey_scores"].rows}
    assert scores == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1, "unanswered": 1}


def test_region_and_kind_narrow_every_figure(cast, calendar):
    emea = _figures(cast.program_manager, region="EMEA")
    assert emea["webinar_attendance"].value == 75.0
    assert emea["webinar_survey"].value == 4.5
    webinars = _figures(cast.program_manager, kind=Kind.WEBINAR)
    assert webinars["webinar_attendance"].rows[0].values == (2, 5, 1, 33.3)
    assert webinars["webinar_redemptions"].value == 0


def _value(text: str):
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None if text in ("", "—") else text


def test_the_page_the_api_and_the_cli_give_the_same_figures(client, api, cast, calendar):
    manager = cast.manager
    client.force_login(manager)
    html = client.get("/kpis/webinars/", {"period": NOV, "region": "EMEA"}).content.decode()
    answer = api(manager).get("/kpis/webinars", period=NOV, region="EMEA")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["region"], body["kind"]) == ("EMEA", "")
    on_page, tables = _page_figures(html), _page_tables(html)
    assert set(on_page) == {k["key"] for k in body["kpis"]} == set(definitions.WEBINAR_BY_KEY)
    for kpi in body["kpis"]:
        shown = _value(on_page[kpi["key"]]) if on_page[kpi["key"]] else None
        assert shown == kpi["value"], kpi["key"]
        for shown_row, row in zip(tables.get(kpi["key"], []), kpi["rows"], strict=True):
            assert shown_row[0] == row["label"]
            assert [_value(c) for c in shown_row[1:]] == row["values"], kpi["key"]
    out = StringIO()
    call_command(
        "kpis", "--webinars", "--as", manager.username, "--period", NOV, "--region", "EMEA",
        "--json", stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue()) == body
    for kpi in definitions.WEBINAR_KPIS:
        assert f'title="{kpi.definition}"'.replace("'", "&#x27;") in html


def test_a_figure_drills_down_to_its_rows_and_each_table_downloads(client, cast, calendar):
    client.force_login(cast.program_manager)
    lab = calendar["lab"]
    page = client.get("/kpis/webinars/webinar_events/rows/", {"period": NOV, "bucket": lab.pk})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="rows-count">5 rows<' in html  # not cancelled
    table = _csv(client.get("/kpis/webinars/webinar_redemptions/table.csv", {"period": NOV}))
    assert table == [
        ["Month", "Lab registrations", "Redeemed", "% redeemed"],
        ["Nov 2026", "4", "2", "50.0"],
    ]
    rows = _csv(
        client.get("/kpis/webinars/webinar_survey/rows.csv", {"period": NOV, "bucket": "5"})
    )
    assert rows[0] == ["Event", "Event start", "Sent", "Answered", "Score", "Comment"]
    assert [(r[0], r[4]) for r in rows[1:]] == [("Security lab", "5")]


def test_a_bad_filter_is_refused_by_its_name(client, api, cast, calendar):
    client.force_login(cast.program_manager)
    page = client.get("/kpis/webinars/", {"kind": "party", "period": "soon"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'data-field="kind"' in html and 'data-field="period"' in html
    answer = api(cast.program_manager).get("/kpis/webinars", kind="party")
    assert answer.status_code == 422
    assert [(e["field"], e["rule"]) for e in answer.json()["errors"]] == [
        ("kind", "invalid_choice")
    ]


def test_program_managers_and_cse_managers_open_it_and_nobody_else(client, api, cast):
    for user, status in ((cast.program_manager, 200), (cast.manager, 200), (cast.cse, 403)):
        client.force_login(user)
        assert client.get("/kpis/webinars/").status_code == status, user
        assert api(user).get("/kpis/webinars").status_code == status, user
    client.force_login(cast.manager)
    assert 'href="/kpis/webinars/"' in client.get("/kpis/team/").content.decode()
    assert 'href="/kpis/webinars/"' in client.get("/webinars/").content.decode()


def test_the_queries_do_not_grow_with_the_events(cast, calendar):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _figures(cast.program_manager)
        return len(captured.captured_queries)

    before = queries()
    for day in range(1, 9):
        event = _event(f"More {day}", Kind.LAB, "APAC", nov(day))
        _register(event, attended=True, redeemed=True)
        _survey(event, 3, ContactFactory())
    assert queries() == before
