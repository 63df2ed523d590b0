"""A customer contact answers a CSAT survey from the link in its email, on a phone,
without JavaScript; a second visit is refused politely."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from rhythm.core.models import OutboundMessage
from rhythm.people.choices import Role
from rhythm.surveys import services
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import SurveyResponse
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sent(transactional_db, live_server, settings):
    # The deployment's address is the live server's: the email's link points there.
    settings.SITE_URL = live_server.url
    caches["ratelimit"].clear()  # committed counts outlive a transactional test's rows
    cse = UserFactory(
        username="martin.cse", first_name="Martin", last_name="Brummer", roles=[Role.CSE]
    )
    account = AccountFactory(name="Globex")
    contact = ContactFactory(account=account, name="Ana Costa", email="ana@globex.example")
    subject = OpportunityFactory(account=account, name="Globex expansion")
    services.send_survey(
        SurveyKind.CSAT, subject, contact, cse=cse, about="your pipelines call with Martin"
    )
    yield contact
    caches["ratelimit"].clear()


def _link_in_the_email(contact) -> str:
    """The survey's link, as the contact reads it in their email (the outbox row)."""
    message = OutboundMessage.objects.get(to=[contact.email])
    found = re.search(r"https?://\S+/surveys/answer/\S+/", message.body_text)
    assert found, message.body_text
    return found.group(0)


def test_a_contact_answers_from_the_email_and_a_second_visit_is_refused(browser, sent):
    link = _link_in_the_email(sent)
    # A phone, with JavaScript off: the page is a plain form.
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, reduced_motion="reduce", is_mobile=True
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    phone.goto(link)
    expect(phone.get_by_test_id("survey-about")).to_have_text("your pipelines call with Martin")
    phone.get_by_label("4", exact=True).check()
    phone.get_by_label("Anything you would like to add? (optional)").fill("Clear next steps.")
    phone.get_by_test_id("survey-submit").click()
    expect(phone.get_by_test_id("survey-thanks")).to_contain_text("Thank you, Ana Costa")
    context.close()

    response = SurveyResponse.objects.get()
    assert (response.score, response.comment) == (4, "Clear next steps.")

    # The link again, later, on a phone with JavaScript: refused, politely, and the
    # page fits the screen.
    context = browser.new_context(viewport=PHONE, reduced_motion="reduce", is_mobile=True)
    again = context.new_page()
    again.goto(link)
    refused = again.get_by_test_id("survey-refused")
    expect(refused).to_have_attribute("data-state", "answered")
    expect(refused).to_contain_text("we already have your answer")
    expect(again.get_by_test_id("survey-form")).to_have_count(0)
    wide, window = again.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= window
    context.close()
    assert SurveyResponse.objects.count() == 1
