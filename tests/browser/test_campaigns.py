"""Issue 13's "done when": CS operations uploads a metrics CSV (progress shown),
defines "90-day low license utilisation" for EMEA Mid-Market, sees the preview with
its exclusion reasons; a second person approves; the run writes emails carrying the
covering CSE's booking link; running again sends nothing new; the unsubscribe link
works without login and stops the next campaign."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone
from playwright.sync_api import Page, expect

from rhythm.campaigns import sending
from rhythm.campaigns.models import Campaign
from rhythm.core.models import OutboundMessage
from rhythm.people.choices import Role
from tests.campaigns.conftest import SEED, seeded
from tests.factories import AccountFactory, ContactFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


def _member(username, first, last, role, **extra):
    user = UserFactory(username=username, first_name=first, last_name=last, roles=[role], **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def team(transactional_db, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    caches["ratelimit"].clear()
    mid = SegmentFactory(name="Mid-Market")
    cse = _member("amira", "Amira", "Haddad", Role.CSE, covered_regions=["EMEA"],
                  booking_url="https://calendly.example/amira-haddad")  # fmt: skip
    cse.covered_segments.set([mid])
    ops = _member("olga", "Olga", "Petrova", Role.CS_OPERATIONS)
    manager = _member("marek", "Marek", "Novak", Role.CSE_MANAGER)
    alpha = AccountFactory(name="Alpha GmbH", crm_id="CRM-ALPHA", segment=mid, region="EMEA")
    contact = ContactFactory(
        account=alpha, name="Greta Weiss", email="greta@alpha.example", title="GitLab Admin",
        role="admin",
    )  # fmt: skip
    # Not addressed: the campaign writes to the admins only.
    ContactFactory(account=alpha, name="Bruno Berg", title="VP Engineering", role="economic_buyer")
    silent = AccountFactory(name="Delta SA", crm_id="CRM-DELTA", segment=mid, region="EMEA")
    amer = AccountFactory(name="Gamma Inc", crm_id="CRM-GAMMA", segment=mid, region="AMER")
    ContactFactory(account=amer)
    for draft in SEED.DRAFTS:
        seeded(draft["name"])  # a transactional test's flush took the migration's rows
    today = timezone.localdate()
    lines = ["account,metric,date,value"]
    for crm_id, value in (("CRM-ALPHA", 31), ("CRM-DELTA", 12), ("CRM-GAMMA", 22)):
        lines += [
            f"{crm_id},license_utilisation,{today - timedelta(days=d)},{value}"
            for d in range(0, 98, 7)
        ]
    csv = tmp_path / "utilisation.csv"
    csv.write_text("\n".join(lines) + "\n")
    yield {"ops": ops, "manager": manager, "contact": contact, "csv": csv, "silent": silent}
    caches["ratelimit"].clear()


def _sign_in(page: Page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-menu")).to_have_text(user.get_full_name())


def test_cs_operations_run_a_campaign_once_and_a_contact_unsubscribes(page: Page, browser, team):
    _sign_in(page, team["ops"])
    page.goto("/metrics/")
    page.get_by_label("Metrics CSV").set_input_files(str(team["csv"]))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Done")
    expect(page.get_by_test_id("import-bar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("rows-written")).to_have_text("42")

    page.goto("/campaigns/")
    page.get_by_role("link", name="90-day low license utilisation").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Mid-Market").check()
    page.get_by_label("Regions").fill("EMEA")
    page.get_by_label("GitLab admin").check()
    expect(page.get_by_label("Conditions")).to_have_value("license_utilisation < 50 for 90 days")
    expect(page.get_by_test_id("preview-body")).to_contain_text(
        "https://calendly.example/amira-haddad"
    )
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_test_id("campaign-status")).to_have_text("Draft")
    expect(page.get_by_test_id("count-eligible")).to_have_text("1")
    expect(page.get_by_test_id("count-matched")).to_have_text("2")
    reasons = page.get_by_test_id("exclusion-reasons")
    expect(reasons.locator("[data-reason=no_eligible_contact]")).to_contain_text("1")
    expect(page.get_by_test_id("excluded-accounts")).to_contain_text("Delta SA")
    expect(page.get_by_test_id("approval-refusal")).to_contain_text("author may not approve")
    expect(page.get_by_test_id("move-approved")).to_have_count(0)

    page.context.clear_cookies()
    _sign_in(page, team["manager"])
    page.goto(Campaign.objects.get(name="90-day low license utilisation").get_absolute_url())
    page.get_by_test_id("move-approved").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Approved")

    page.context.clear_cookies()
    _sign_in(page, team["ops"])
    page.goto(Campaign.objects.get(name="90-day low license utilisation").get_absolute_url())
    page.get_by_test_id("move-active").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Active")
    page.get_by_test_id("run-now").click()
    expect(page.get_by_test_id("run-summary")).to_have_text("1 account, 1 email.")
    message = OutboundMessage.objects.get(to=["greta@alpha.example"])
    assert "https://calendly.example/amira-haddad" in message.body_text

    page.go_back()
    page.reload()
    page.get_by_test_id("run-now").click()
    expect(page.get_by_test_id("run-summary")).to_have_text("0 accounts, 0 emails.")
    assert OutboundMessage.objects.count() == 1

    link = re.search(r"https?://\S+/campaigns/unsubscribe/\S+/", message.body_text).group(0)
    stranger = browser.new_context(reduced_motion="reduce")
    public = stranger.new_page()
    public.goto(link)
    public.get_by_test_id("unsubscribe-button").click()
    expect(public.get_by_test_id("unsubscribed")).to_contain_text("You are unsubscribed")
    stranger.close()

    coach = Campaign.objects.get(name="CI product coach")
    # For the admins too: Greta unsubscribed, so none is left to write to.
    coach.conditions, coach.frequency_cap_days, coach.state = {}, 0, "active"
    coach.contact_roles = ["admin"]
    coach.save()
    assert sending.run(coach).sent == []
    assert OutboundMessage.objects.count() == 1
    assert page.problems == []  # type: ignore[attr-defined]
