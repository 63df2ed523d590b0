"""A CSE on their CTA, in a real browser: what they prepare from fits the first
screen, and the outreach is theirs to read, reword and send, once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from rhythm.cases import services as cases
from rhythm.catalog.models import Offering
from rhythm.core.models import OutboundMessage
from rhythm.ctas.models import CtaTask
from rhythm.people.choices import Role
from tests.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

BOOKING = "https://calendly.com/martin-cse/30min"


@pytest.fixture
def cta(transactional_db):
    password = settings.RHYTHM_DEMO_PASSWORD
    segment = SegmentFactory(name="Strategic", arr_floor=250000, arr_ceiling=2000000)
    ae = UserFactory(
        username="alex.ae", first_name="Alex", last_name="Owner", roles=[Role.ACCOUNT_OWNER]
    )
    cse = UserFactory(
        username="martin.cse",
        first_name="Martin",
        last_name="Brummer",
        roles=[Role.CSE],
        covered_regions=["EMEA"],
        booking_url=BOOKING,
    )
    cse.covered_segments.set([segment])
    for person in (ae, cse):
        person.set_password(password)
        person.save(update_fields=["password"])
    account = AccountFactory(
        name="Borealis Bank", segment=segment, region="EMEA", account_owner=ae, arr=900000
    )
    contact = ContactFactory(account=account, name="Grace Hopper", email="grace@borealis.example")
    opportunity = OpportunityFactory(account=account, name="Premium expansion", owner=ae)
    case = cases.open_case(
        ae,
        {
            "opportunity": opportunity.pk,
            "kind": "cse_help",
            "offering": Offering.objects.get(name="Streamline Your CI Workflows").pk,
            "contact": contact.pk,
            "challenges": "Pipelines take 40 minutes.\nThey want them under 10 before the renewal.",
        },
    ).case
    return case.cta, cse, password


def test_a_cse_rewords_the_outreach_and_sends_it_once(page: Page, cta):
    cta, cse, password = cta
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/login/")
    page.get_by_label("Username").fill(cse.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/ctas/{cta.pk}/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("cta-owner")).to_have_text("Martin Brummer")

    # The draft greets Grace by her first name and carries Martin's booking link.
    draft = page.get_by_test_id("outreach-draft")
    body = draft.get_by_label("Message")
    expect(body).to_have_value(re.compile(r"^Hello Grace,\n"))
    value = body.input_value()
    assert value.startswith("Hello Grace,\n") and BOOKING in value
    assert '"Streamline Your CI Workflows"' in value

    # What the CSE prepares from and acts on is on the first screen, read at once.
    send = page.get_by_test_id("send-outreach")
    fits = page.evaluate(
        "(elements) => elements.map((e) => e.getBoundingClientRect().bottom <= innerHeight)",
        [
            page.get_by_test_id("challenges").element_handle(),
            page.get_by_test_id("people").element_handle(),
            page.get_by_test_id("account-facts").element_handle(),
            send.element_handle(),
        ],
    )
    assert fits == [True, True, True, True]

    # Reworded, then sent; the same form sent again (a double click, a lost
    # response) sends nothing more.
    draft.get_by_label("Subject").fill("Your pipelines in under ten minutes")
    body.fill(value.replace("To prepare, could you", "Before we meet, could you"))
    form = draft.locator("form")
    posted = form.evaluate("(f) => Object.fromEntries(new FormData(f))")
    send.click()
    expect(
        page.get_by_role("alert").filter(has_text="Outreach sent to Grace Hopper")
    ).to_be_visible()
    reach_out = page.get_by_test_id("task").filter(has_text="Reach out")
    expect(reach_out).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("outreach-draft")).to_have_count(0)
    expect(page.get_by_test_id("outreach")).to_contain_text("grace@borealis.example")
    again = page.request.post(f"/ctas/{cta.pk}/outreach", form=posted)
    assert again.ok and "This form was already sent" in again.text()

    (message,) = OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta.pk}")
    assert message.subject == "Your pipelines in under ten minutes"
    assert "Before we meet, could you" in message.body_text
    assert message.to == ["grace@borealis.example"] and message.cc == [
        cta.account.account_owner.email
    ]
    assert CtaTask.objects.get(cta=cta, title__startswith="Reach out").completed_by == cse
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_manager_reads_the_email_the_chosen_cse_gets(page: Page, cta):
    cta, cse, password = cta
    other = UserFactory(
        username="kenji.cse", first_name="Kenji", last_name="Tanaka", roles=[Role.CSE]
    )
    manager = UserFactory(username="maria.manager", roles=[Role.CSE_MANAGER])
    manager.set_password(password)
    manager.save(update_fields=["password"])
    page.goto("/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/ctas/{cta.pk}/")
    panel = page.get_by_test_id("assign-panel")
    expect(panel.get_by_test_id("assign-email")).to_contain_text(cse.email)
    panel.get_by_label("Assign to").select_option(
        label="Kenji Tanaka (does not cover EMEA · Strategic)"
    )
    email = panel.get_by_test_id("assign-email")
    expect(email).to_contain_text(other.email)  # swapped in for the new choice
    email.locator("summary").click()
    expect(email.get_by_label("Message")).to_have_value(re.compile(r"^Hello Kenji,\n"))
    email.get_by_label("Message").fill("Kenji, please take this one: Martin is away.")
    panel.get_by_placeholder("Why them, if they do not cover it").fill("Martin is away.")
    panel.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("cta-owner")).to_have_text("Kenji Tanaka")
    told = OutboundMessage.objects.get(idempotency_key=f"cta-assigned:{cta.pk}:{other.pk}")
    assert told.body_text == "Kenji, please take this one: Martin is away.\n"
    assert page.problems == []  # type: ignore[attr-defined]
