"""Issue 12's "Done when", in a real browser: a CSE in Germany takes an ad-hoc CTA from
accept to a booked call with its checklist and logs it on the Thursday before a public
holiday; the follow-up's due date skips the holiday and the weekend; it breaches, and
two workers scanning at once tell the CSE and their manager once each; the CSE sends it
(once, the AE in copy); the contact answers the CSAT survey from its email and a second
answer is refused; a question five weeks later is refused with a link that fills in a
new request.

"Now" is set with time-machine, in this process, where the live server and the scans
run; the holiday comes from the `holidays` package, never a written date."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import formats, timezone
from playwright.sync_api import Page, expect

from rhythm.core.models import OutboundMessage
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.followups.tasks import scan_clocks
from rhythm.meetings.models import Meeting
from rhythm.people.choices import Role
from rhythm.surveys.models import SurveyResponse
from tests.browser.test_outreach import cta  # noqa: F401  # the fixture: an ad-hoc CTA
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
PHONE = {"width": 390, "height": 844}


def _thursday_before_a_holiday(country: str) -> tuple[date, date]:
    """The first Thursday at least two weeks ahead whose Friday is one of `country`'s
    public holidays, and that holiday."""
    today = timezone.now().date()
    known = holidays.country_holidays(country, years=range(today.year, today.year + 4))
    friday = min(d for d in known if d >= today + timedelta(days=14) and d.weekday() == 4)
    return friday - timedelta(days=1), friday


def _business_days_after(start: date, days: int, country: str) -> date:
    """Counted here from `holidays` and the weekend, apart from the app's calendar."""
    known = holidays.country_holidays(country, years=range(start.year, start.year + 2))
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += day.weekday() < 5 and day not in known
    return day


def _sign_in(page: Page, user, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("home-title")).to_be_visible()


def _scan_with_two_workers() -> list[int]:
    """The periodic task, run by two threads at the same moment, each on its own
    database connection, as two huey workers would."""
    barrier, written, errors = threading.Barrier(2), [], []

    def worker():
        try:
            barrier.wait()
            written.append(scan_clocks.call_local())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return written


@pytest.fixture
def team(cta, live_server):  # noqa: F811
    """The CTA's CSE works in Germany (Berlin's zone, Germany's holidays) and reports
    to a manager; the survey links point at the live server."""
    cta_, cse, password = cta
    settings.SITE_URL = live_server.url
    caches["ratelimit"].clear()
    cse.time_zone, cse.holiday_country, cse.holiday_subdivision = "Europe/Berlin", "DE", ""
    cse.email = "martin@rhythm.example"
    cse.manager = UserFactory(
        username="mia.manager", email="mia@rhythm.example", roles=[Role.CSE_MANAGER]
    )
    cse.save()
    csm = UserFactory(username="chris.csm", roles=[Role.CSM])
    csm.set_password(password)
    csm.save()
    cta_.account.csm = csm
    cta_.account.save()
    yield cta_, cse, csm, password
    caches["ratelimit"].clear()


def test_a_call_before_a_holiday_its_follow_up_clock_survey_and_a_late_question(
    page: Page, browser, team
):
    call_cta, cse, csm, password = team
    thursday, holiday = _thursday_before_a_holiday("DE")
    page.set_viewport_size({"width": 1366, "height": 900})

    with time_machine.travel(datetime.combine(thursday, time(9), BERLIN), tick=True):
        _sign_in(page, cse, password)
        page.goto(f"/ctas/{call_cta.pk}/")
        page.get_by_test_id("accept").click()
        expect(page.get_by_test_id("cta-owner")).to_have_text("Martin Brummer")

        page.get_by_test_id("book-call").click()
        form = page.get_by_test_id("book-form")
        form.get_by_label("Date and time").fill(f"{thursday:%Y-%m-%d}T14:00")
        form.get_by_label("Time zone").select_option("Europe/Berlin")
        form.get_by_label("Grace Hopper").check()
        form.get_by_role("button", name="Book the call").click()
        expect(page.get_by_test_id("meeting-title")).to_contain_text("Borealis Bank")
        expect(page.get_by_test_id("scheduled")).to_contain_text("booked in Europe/Berlin")
        items = page.get_by_test_id("checklist-item")
        assert items.count() == Meeting.objects.get(cta=call_cta).checklist.count() > 0
        for n in range(items.count()):
            items.nth(n).get_by_test_id("tick").click()
            expect(items.nth(n).get_by_test_id("tick")).to_have_attribute("aria-pressed", "true")
        expect(page.get_by_test_id("prepared")).to_be_visible()

        held = page.get_by_test_id("held-form")
        held.get_by_label("Summary").fill("Walked through their pipelines.")
        held.get_by_label("Outcome").fill("They cache their dependencies.")
        held.get_by_role("button", name="Log the call as held").click()
        expect(page.get_by_test_id("meeting-status")).to_have_text("Held")

        # Due 3 business days after the call: past the holiday and the weekend.
        due_day = _business_days_after(thursday, 3, "DE")
        assert due_day - thursday >= timedelta(days=6)  # Friday off, then the weekend
        follow_up = FollowUp.objects.get(meeting__cta=call_cta)
        assert follow_up.due_at.astimezone(BERLIN).date() == due_day
        assert holiday not in {follow_up.due_at.date(), follow_up.target_at.date()}
        panel = page.get_by_test_id("follow-up-panel")
        expect(panel).to_contain_text(formats.date_format(due_day, "DATE_FORMAT"))

    # The day after it was due: breached. Two workers scan at the same moment.
    with time_machine.travel(datetime.combine(due_day + timedelta(days=1), time(10), BERLIN)):
        written = _scan_with_two_workers()
        _scan_with_two_workers()  # and again, a quarter of an hour later: nothing new
    alerts = OutboundMessage.objects.filter(idempotency_key__startswith="clock:follow_up:")
    assert sorted((m.idempotency_key.rsplit(":", 1)[1], m.to) for m in alerts) == [
        ("breached", [cse.email]),
        ("breached_manager", [cse.manager.email]),
    ]
    assert sum(written) >= 2

    with time_machine.travel(datetime.combine(due_day + timedelta(days=1), time(11), BERLIN)):
        _sign_in(page, cse, password)
        clock = page.get_by_test_id("clock-row").filter(has_text="Send the follow-up")
        expect(clock).to_have_attribute("data-state", "breached")
        expect(clock).to_contain_text("Breached")
        clock.get_by_role("link").click()
        # A second tab with the same composer open: it sends after the first did.
        second = page.context.new_page()
        second.goto(page.url)
        for tab in (page, second):
            composer = tab.get_by_test_id("compose-form")
            composer.get_by_label("Action items and next steps").fill("You: turn on the cache.")
            composer.get_by_label("Resources and documentation").fill("https://docs.example/cache")
            composer.get_by_label("An invitation to ask more").fill("Reply with any question.")
        page.get_by_role("button", name="Send the follow-up").click()
        expect(page.get_by_test_id("follow-up-timeliness")).to_contain_text("Sent late")
        second.get_by_role("button", name="Send the follow-up").click()
        expect(second.get_by_test_id("follow-up-timeliness")).to_contain_text("Sent late")
        second.close()
    sent = OutboundMessage.objects.filter(idempotency_key=f"followup:{follow_up.pk}")
    assert [(m.to, m.cc) for m in sent] == [
        (["grace@borealis.example"], [call_cta.account.account_owner.email])
    ]
    assert OutboundMessage.objects.filter(subject__startswith="Follow-up:").count() == 1

    # Grace answers the CSAT survey from its email, on a phone; a second answer is refused.
    survey = OutboundMessage.objects.get(
        to=["grace@borealis.example"], body_text__contains="/surveys/answer/"
    )
    link = re.search(r"https?://\S+/surveys/answer/\S+/", survey.body_text).group(0)
    phone = browser.new_context(viewport=PHONE, reduced_motion="reduce", is_mobile=True)
    grace = phone.new_page()
    grace.goto(link)
    grace.get_by_label("5", exact=True).check()
    grace.get_by_test_id("survey-submit").click()
    expect(grace.get_by_test_id("survey-thanks")).to_contain_text("Thank you, Grace Hopper")
    grace.goto(link)
    expect(grace.get_by_test_id("survey-refused")).to_have_attribute("data-state", "answered")
    phone.close()
    assert SurveyResponse.objects.get().score == 5

    # Five weeks after the last customer contact (the follow-up going), a question is
    # refused: a new request, filled in.
    follow_up.refresh_from_db()
    five_weeks_later = follow_up.sent_at.astimezone(BERLIN).date() + timedelta(weeks=5)
    with time_machine.travel(datetime.combine(five_weeks_later, time(10), BERLIN)):
        _sign_in(page, cse, password)
        page.goto(follow_up.meeting.get_absolute_url())
        page.get_by_test_id("ask-link").click()
        ask = page.get_by_test_id("ask-form")
        ask.get_by_label("Question").fill("Can we move our Jenkins jobs too?")
        ask.get_by_role("button", name=re.compile("Send it to")).click()
        refusal = page.get_by_test_id("topic-refusal")
        expect(refusal).to_contain_text("open a new request")
        expect(refusal).to_have_attribute("data-rule", re.compile("stale_contact|previous_quarter"))
        new_request = refusal.get_by_test_id("new-request-link").get_attribute("href")
        # The account's CSM opens it: the request form, filled in with the topic.
        _sign_in(page, csm, password)
        page.goto(new_request)
        expect(page.get_by_label("Title")).to_have_value("Can we move our Jenkins jobs too?")
    assert not FurtherQuestion.objects.exists()
