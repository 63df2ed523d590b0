"""A CSE books the customer call from an ad-hoc CTA, works its checklist and logs
the call, in a real browser; the CTA's call tasks tick themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rhythm.meetings.models import Meeting
from rhythm.timeline.models import TimelineEntry
from tests.browser.test_outreach import cta  # noqa: F401  # the fixture: an ad-hoc CTA

pytestmark = pytest.mark.browser


def _task(page: Page, title: str):
    return page.get_by_test_id("task").filter(has_text=title)


def test_a_cse_books_prepares_and_logs_the_call(page: Page, cta):  # noqa: F811
    cta, cse, password = cta
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/login/")
    page.get_by_label("Username").fill(cse.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/ctas/{cta.pk}/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("cta-owner")).to_have_text("Martin Brummer")

    # Booking: a time in the past is refused beside its field, then a time ahead.
    page.get_by_test_id("book-call").click()
    form = page.get_by_test_id("book-form")
    form.get_by_label("Date and time").fill("2020-01-07T10:00")
    form.get_by_label("Time zone").select_option("Europe/Paris")
    form.get_by_label("Grace Hopper").check()
    form.get_by_label("Video link").fill("https://meet.example/borealis")
    form.get_by_role("button", name="Book the call").click()
    expect(page.get_by_test_id("book-form")).to_contain_text("The time has passed")
    ahead = (timezone.now() + timedelta(days=6)).strftime("%Y-%m-%dT10:00")
    form.get_by_label("Date and time").fill(ahead)
    form.get_by_role("button", name="Book the call").click()
    expect(page.get_by_test_id("meeting-title")).to_contain_text("Borealis Bank")
    expect(page.get_by_test_id("contacts")).to_have_text("Grace Hopper")
    expect(page.get_by_test_id("account-facts")).to_contain_text("Licences")

    # The checklist, ticked item by item; the last one makes the call prepared.
    items = page.get_by_test_id("checklist-item")
    count = items.count()
    assert count == Meeting.objects.get(cta=cta).checklist.count()
    for n in range(count):
        items.nth(n).get_by_test_id("tick").click()
        expect(items.nth(n).get_by_test_id("tick")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("prepared")).to_be_visible()

    # Logging the call.
    held = page.get_by_test_id("held-form")
    held.get_by_label("Summary").fill("Walked through their pipelines.")
    held.get_by_label("Outcome").fill("They split the monorepo pipeline.")
    held.get_by_role("button", name="Log the call as held").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("Held")
    expect(page.get_by_test_id("outcome")).to_have_text("They split the monorepo pipeline.")

    page.goto(f"/ctas/{cta.pk}/")
    for title in ("Schedule the call", "Prepare the call", "Hold the call"):
        expect(_task(page, title)).to_have_attribute("data-status", "done")
    expect(_task(page, "Send the follow-up email")).to_have_attribute("data-status", "open")
    entry = TimelineEntry.objects.get(account=cta.account, title__contains="held")
    assert "(CSE Engagement)" in entry.title and "Grace Hopper" in entry.body
