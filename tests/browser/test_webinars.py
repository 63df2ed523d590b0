"""The issue's "done when", one month of a lab in the browser: the program manager
drafts it, a CSE signs up as DRI and files the environment request 8 days ahead, a
demo architect enters the code pair; a visitor registers on the public page,
confirms through the emailed link, redeems the code on the day, and their access
ends after the window; the post-event email goes once to attendees and once to
no-shows, each with their own words, and the attendee (no customer's contact) answers
the short survey. A request filed 5 days ahead is accepted only with its reason,
flagged late. Time travels with time-machine (the live
server runs in this process)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from playwright.sync_api import Page, expect

from rhythm.core.models import OutboundMessage
from rhythm.people.choices import Role
from rhythm.surveys.models import Survey
from rhythm.webinars import tasks
from rhythm.webinars.models import Webinar
from tests.factories import PASSWORD, UserFactory
from tests.webinars import helpers

pytestmark = pytest.mark.browser

START = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 16:00 CET
SURVEY_LINK = re.compile(r"https?://\S+/surveys/answer/[\w-]+/")


def _sign_in(page: Page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-menu")).to_have_text(str(user))


def test_a_lab_month_from_draft_to_the_post_event_email(page: Page, live_server, settings):
    settings.SITE_URL = live_server.url
    caches["ratelimit"].clear()
    pm = UserFactory(
        username="priya.pm", first_name="Priya", last_name="Nair", roles=[Role.PROGRAM_MANAGER]
    )
    cse = UserFactory(
        username="martin.cse", first_name="Martin", last_name="Brummer", roles=[Role.CSE]
    )
    da = UserFactory(
        username="dana.da", first_name="Dana", last_name="Ortiz", roles=[Role.DEMO_ARCHITECT]
    )
    helpers.template()
    with time_machine.travel(START - timedelta(days=8, hours=2), tick=False) as clock:
        # The program manager drafts the lab.
        _sign_in(page, pm)
        page.goto("/webinars/new/")
        page.get_by_label("Title").fill("Security and Compliance hands-on lab")
        page.get_by_label("Hands-on lab").check()
        page.get_by_label("Lab template").select_option(label="Security and Compliance Lab")
        page.get_by_label("Region").select_option("EMEA")
        page.get_by_label("Starts at").fill("2027-03-10T16:00")
        page.get_by_label("Time zone").fill("Europe/Berlin")
        page.get_by_label("Duration (minutes)").fill("120")
        page.get_by_label("Capacity").fill("30")
        page.get_by_role("button", name="Save the draft").click()
        expect(page.get_by_test_id("webinar-status")).to_have_text("Draft")
        expect(page.get_by_test_id("deck-name")).to_have_text(
            "Security and Compliance Lab - EMEA - 2027-03-10"
        )
        event_url = page.url
        lab = Webinar.objects.get()

        # A CSE signs up as DRI and files the environment request, 8 days ahead.
        _sign_in(page, cse)
        page.goto(event_url)
        page.get_by_test_id("sign-up-host").click()
        expect(page.get_by_test_id("webinar-owner")).to_have_text("Martin Brummer")
        page.get_by_role("button", name="File the environment request").click()
        expect(page.get_by_test_id("environment-status")).to_have_text("Requested")
        expect(page.get_by_test_id("environment-late")).to_have_count(0)

        # A demo architect works the board and enters the code pair.
        _sign_in(page, da)
        page.goto("/webinars/requests/")
        page.get_by_test_id("column-requested").get_by_role("button", name="Start").click()
        card = page.get_by_test_id("column-in_progress").get_by_test_id("request-card")
        card.get_by_label("Production code").fill("PROD-7F3K")
        card.get_by_label("Testing code").fill("TEST-9Q2L")
        card.get_by_role("button", name="Save the codes: ready").click()
        expect(page.get_by_test_id("column-ready").get_by_test_id("request-card")).to_have_count(1)

        # The program manager publishes it (it has its DRI).
        _sign_in(page, pm)
        page.goto(event_url)
        page.get_by_test_id("move-published").click()
        expect(page.get_by_test_id("webinar-status")).to_have_text("Published")
        expect(page.get_by_test_id("production-code")).to_have_text("PROD-7F3K")

        # A visitor registers on the public calendar and confirms from the email.
        page.context.clear_cookies()
        page.goto("/webinars/calendar/?month=2027-03")
        page.get_by_test_id("region-EMEA").get_by_role("link", name="Register").click()
        page.get_by_label("Name").fill("Ada Lovelace")
        page.get_by_label("Email", exact=True).fill("ada@initech.example")
        page.get_by_label("Company").fill("Initech")
        page.get_by_label("Email me about this event").check()
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_test_id("check-inbox")).to_be_visible()
        link = helpers.LINK.search(
            OutboundMessage.objects.get(to=["ada@initech.example"]).body_text
        ).group(0)
        page.goto(link)
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("registration-status")).to_have_text("Confirmed")
        # Someone else registers too, and will not come.
        helpers.confirmed(lab, "bob@initech.example", "Bob Page")

        # On the day, the visitor redeems the production code.
        clock.move_to(START + timedelta(minutes=5))
        page.goto(f"/webinars/{lab.pk}/redeem/")
        page.get_by_label("Your registration email").fill("ada@initech.example")
        page.get_by_label("Invitation code").fill("PROD-7F3K")
        page.get_by_role("button", name="Redeem the code").click()
        expect(page.get_by_test_id("access-until")).to_contain_text("12 Mar 2027, 15:05 UTC")

        # The program manager sees it live, marks the lab delivered, sends the email.
        _sign_in(page, pm)
        page.goto(event_url)
        expect(page.get_by_test_id("redeemed")).to_have_text("1")
        clock.move_to(START + timedelta(hours=3))
        page.get_by_test_id("move-delivered").click()
        expect(page.get_by_test_id("webinar-status")).to_have_text("Delivered")
        page.get_by_label("Recording link").fill("https://video.example/security-lab")
        page.get_by_label("Deck link").fill("https://deck.example/security-lab")
        page.get_by_test_id("send-post-event").click()
        expect(page.get_by_text("1 attendees, 1 no-shows emailed.")).to_be_visible()
        page.get_by_test_id("send-post-event").click()  # again: nobody gets it twice
        expect(page.get_by_text("0 attendees, 0 no-shows emailed.")).to_be_visible()

        # Ada is no customer's contact: the short survey reaches her all the same, at
        # the address she registered with, and she answers it; Bob, who did not come,
        # is asked nothing.
        asked = OutboundMessage.objects.get(
            to=["ada@initech.example"], subject__startswith="How did we do?"
        )
        page.context.clear_cookies()
        page.goto(SURVEY_LINK.search(asked.body_text).group(0))
        expect(page.get_by_test_id("survey-about")).to_contain_text(lab.title)
        page.get_by_label("5", exact=True).check()
        page.get_by_test_id("survey-submit").click()
        expect(page.get_by_test_id("survey-thanks")).to_contain_text("Thank you, Ada Lovelace")

        # After the 2-day window, the expiry task ends the visitor's access.
        clock.move_to(START + timedelta(days=2, minutes=10))
        assert tasks.end_access_windows.call_local() == 1
        page.context.clear_cookies()
        page.goto(link)
        expect(page.get_by_test_id("access")).to_have_text(
            "Your lab access ended on 12 Mar 2027, 15:05 UTC."
        )

    thanks = OutboundMessage.objects.filter(subject__startswith="Thank you for joining")
    sorry = OutboundMessage.objects.filter(subject__startswith="Sorry we missed you")
    assert [m.to for m in thanks] == [["ada@initech.example"]]
    assert [m.to for m in sorry] == [["bob@initech.example"]]
    assert "https://deck.example/security-lab" in thanks[0].body_text
    assert "deck" not in sorry[0].body_text and "video.example" in sorry[0].body_text
    surveyed = Survey.objects.values_list("recipient_email", "contact", "response__score")
    assert list(surveyed) == [("ada@initech.example", None, 5)]


def test_a_request_filed_5_days_ahead_is_flagged_late_with_its_reason(
    page: Page, live_server, settings
):
    """The DRI files 5 days before the lab: refused until they say why, then accepted
    flagged late, and the demo architects read the reason in their email."""
    settings.SITE_URL = live_server.url
    pm = UserFactory(username="priya.pm", roles=[Role.PROGRAM_MANAGER])
    cse = UserFactory(
        username="martin.cse", first_name="Martin", last_name="Brummer", roles=[Role.CSE]
    )
    da = UserFactory(username="dana.da", email="dana@rhythm.example", roles=[Role.DEMO_ARCHITECT])
    with time_machine.travel(START - timedelta(days=5, hours=2), tick=False):
        lab = helpers.published_lab(pm, cse, START)
        _sign_in(page, cse)
        page.goto(f"/webinars/{lab.pk}/")
        page.get_by_role("button", name="File the environment request").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Filed 5 days before delivery, under the 7 required: say why it is late."
        )
        expect(page.get_by_test_id("environment-status")).to_have_count(0)
        page.get_by_label("Why it is late").fill("The customer moved the workshop up a week.")
        page.get_by_role("button", name="File the environment request").click()
        expect(page.get_by_test_id("environment-status")).to_have_text("Requested")
        expect(page.get_by_test_id("environment-late")).to_have_text(
            "Late The customer moved the workshop up a week."
        )
    told = OutboundMessage.objects.get(to=[da.email])
    assert told.subject.startswith("Late lab environment request")
    assert "Reason: The customer moved the workshop up a week." in told.body_text
