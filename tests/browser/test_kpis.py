"""Issue 14's KPI "done when": a CSE manager opens the team's KPIs over the demo's
engagements; the counts are the demo's, the chart draws its figures, a figure opens
the rows behind it, and its table downloads as CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from rhythm.demo import data
from rhythm.engagements.models import EngagementRequest
from rhythm.kpis import rules
from rhythm.webinars.models import Webinar

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    data.load()


def _filed_this_fiscal_year() -> dict[str, int]:
    """The demo's requests of this fiscal year by region, counted by the ORM alone."""
    period = rules.current_fiscal_year(
        timezone.localdate(), settings.RHYTHM_FISCAL_YEAR_START_MONTH
    )
    filed = EngagementRequest.objects.active().filter(
        created_at__date__gte=period.start, created_at__date__lt=period.end
    )
    regions = {}
    for region in settings.RHYTHM_REGIONS:
        if n := filed.filter(account__region=region).count():
            regions[region] = n
    return {"total": filed.count(), **regions}


def test_a_manager_reads_the_demo_teams_kpis_and_drills_down(page: Page, demo):
    filed = _filed_this_fiscal_year()
    assert filed["total"] > 0, "the demo files engagement requests"
    page.goto("/login/")
    page.get_by_label("Username").fill("maria.manager")
    page.get_by_label("Password").fill(settings.RHYTHM_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Team KPIs").click()

    volume = page.locator('[data-kpi="volume_by_month"]')
    expect(volume.get_by_test_id("kpi-value")).to_have_text(str(filed["total"]))
    # The definition is there to hover over.
    expect(volume.get_by_test_id("kpi-definition")).to_have_attribute(
        "title", re.compile("Engagement requests filed in the period")
    )
    # The chart draws the table's figures: a canvas, drawn, with data points.
    chart = volume.get_by_test_id("chart-volume_by_month")
    expect(chart).to_have_attribute("data-chart-ready", "1")
    expect(chart).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100

    # A region's count opens the rows behind it.
    by_region = page.locator('[data-kpi="volume_by_region"]')
    region, count = next((k, v) for k, v in filed.items() if k != "total")
    row = (
        by_region.get_by_test_id("table-volume_by_region")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=region, exact=True))
    )
    expect(row.get_by_role("cell").nth(1)).to_have_text(str(count))
    row.get_by_role("link", name=region, exact=True).click()
    expect(page.get_by_test_id("kpi-rows-title")).to_have_text("Requests by region")
    expect(page.get_by_test_id("rows-count")).to_have_text(
        f"{count} row{'' if count == 1 else 's'}"
    )
    expect(page.get_by_test_id("drill-rows").locator("tbody tr")).to_have_count(min(count, 50))

    # The table under the chart downloads as CSV, with the same figures.
    page.go_back()
    with page.expect_download() as download:
        by_region.get_by_test_id("kpi-csv").click()
    with open(download.value.path()) as saved:
        lines = list(csv.reader(io.StringIO(saved.read())))
    assert lines[0] == ["Group", "Requests"]
    assert {label: int(n) for label, n in lines[1:]} == {
        k: v for k, v in filed.items() if k != "total"
    }
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_program_manager_reads_the_webinars_dashboard_and_drills_down(page: Page, demo):
    """From the webinars area to its dashboard: the events of this fiscal year, the
    attendance trend drawn, an event's registrations behind its row, its table as CSV."""
    period = rules.current_fiscal_year(
        timezone.localdate(), settings.RHYTHM_FISCAL_YEAR_START_MONTH
    )
    events = (
        Webinar.objects.exclude(status__in=["draft", "cancelled"])
        .filter(starts_at__date__gte=period.start, starts_at__date__lt=period.end)
        .order_by("starts_at", "id")
    )
    assert events.count() > 1
    first = events.first()
    assert first is not None
    page.goto("/login/")
    page.get_by_label("Username").fill("paula.pm")
    page.get_by_label("Password").fill(settings.RHYTHM_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/webinars/")
    page.get_by_test_id("webinars-dashboard-link").click()
    expect(page.get_by_test_id("kpis-title")).to_have_text("Webinars and labs")

    per_event = page.locator('[data-kpi="webinar_events"]')
    expect(per_event.get_by_test_id("kpi-value")).to_have_text(str(events.count()))
    attendance = page.get_by_test_id("chart-webinar_attendance")
    expect(attendance).to_have_attribute("data-chart-ready", "1")
    expect(attendance).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    survey = page.locator('[data-kpi="webinar_survey"]')
    expect(survey.get_by_test_id("kpi-definition")).to_have_attribute(
        "title", re.compile("counted by the event it is about")
    )

    confirmed = first.registrations.exclude(status="cancelled").count()
    per_event.get_by_test_id("drill").first.click()
    expect(page.get_by_test_id("kpi-rows-title")).to_have_text("Each event")
    expect(page.get_by_test_id("rows-count")).to_have_text(
        f"{confirmed} row{'' if confirmed == 1 else 's'}"
    )

    page.go_back()
    with page.expect_download() as download:
        per_event.get_by_test_id("kpi-csv").click()
    with open(download.value.path()) as saved:
        lines = list(csv.reader(io.StringIO(saved.read())))
    assert lines[0][:4] == ["Event", "Kind", "Registered", "Attended"]
    assert len(lines) == 1 + events.count()
    assert page.problems == []  # type: ignore[attr-defined]
