"""A person signs in, narrows the account list, and opens an account — in a real browser."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from rhythm.people.choices import Role
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SegmentFactory,
    SuccessPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    """A small version of `rhythm demo`: a CSE, a CSM, segments and 40 accounts."""
    password = settings.RHYTHM_DEMO_PASSWORD
    cse = UserFactory(
        username="martin.cse", first_name="Martin", last_name="Brummer", roles=[Role.CSE]
    )
    csm = UserFactory(username="sofia.csm", first_name="Sofia", last_name="Reyes", roles=[Role.CSM])
    for person in (cse, csm):
        person.set_password(password)
        person.save(update_fields=["password"])
    scale = SegmentFactory(name="Scale", arr_floor=0, arr_ceiling=50000)
    strategic = SegmentFactory(name="Strategic", arr_floor=250000, arr_ceiling=2000000)
    for i in range(36):
        AccountFactory(
            name=f"Customer {i:03d}",
            segment=scale,
            region=("AMER", "EMEA", "APAC")[i % 3],
            csm=csm,
        )
    borealis = AccountFactory(
        name="Borealis Bank",
        segment=strategic,
        region="EMEA",
        industry="Finance",
        csm=csm,
        arr=900000,
        renewal_date=date(2027, 3, 31),
    )
    ContactFactory(account=borealis, name="Grace Hopper", email="grace@borealis.example")
    OpportunityFactory(account=borealis, name="Premium expansion", owner=csm)
    plan = SuccessPlanFactory(account=borealis, name="FY27 modernisation")
    ObjectiveFactory(success_plan=plan, title="Move CI to GitLab", status="amber", progress=60)
    AccountFactory(name="Boreal Mining", segment=strategic, region="APAC", industry="Mining")
    return {"cse": cse, "csm": csm, "password": password, "borealis": borealis}


def _sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _count(page: Page):
    return page.get_by_test_id("account-count")


def test_sign_in_filter_the_list_and_open_an_account(page: Page, demo):
    page.goto("/accounts/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/accounts/"))
    _sign_in(page, "martin.cse", demo["password"])
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.get_by_test_id("user-menu")).to_have_text("Martin Brummer")
    expect(_count(page)).to_contain_text("of 38 accounts")
    # The front end came from npm through static files, and htmx from django-htmx.
    assert page.evaluate("typeof window.bootstrap === 'object' && typeof window.htmx === 'object'")

    # Typing updates the table in place: a marker set on this window survives.
    page.evaluate("window.rhythmMarker = 'same page'")
    page.get_by_label("Search").fill("borea")
    expect(_count(page)).to_have_text("2 accounts")
    rows = page.get_by_test_id("account-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"[?&]q=borea"))
    assert page.evaluate("window.rhythmMarker") == "same page"

    page.get_by_label("Region").select_option("EMEA")
    expect(_count(page)).to_have_text("1 account")
    expect(rows.first).to_contain_text("Borealis Bank")
    expect(page).to_have_url(re.compile(r"region=EMEA"))
    assert page.evaluate("window.rhythmMarker") == "same page"

    page.get_by_role("link", name="Borealis Bank").click()
    expect(page.get_by_test_id("account-title")).to_have_text("Borealis Bank")
    expect(page.get_by_test_id("plans-health")).to_contain_text("Amber")
    expect(page.get_by_test_id("overview-plans")).to_contain_text("Move CI to GitLab")

    # The tabs load in place (htmx), each at an address of its own.
    page.evaluate("window.rhythmMarker = 'same page'")
    page.get_by_test_id("tab-contacts").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("Grace Hopper")
    expect(page).to_have_url(re.compile(r"/accounts/\d+/contacts/$"))
    expect(page.get_by_test_id("tab-contacts")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("tab-overview")).not_to_have_attribute("aria-current", "page")
    page.get_by_test_id("tab-opportunities").click()
    expect(page.get_by_test_id("opportunities")).to_contain_text("Premium expansion")
    page.get_by_test_id("tab-success-plans").click()
    plan = page.get_by_test_id("success-plan")
    expect(plan).to_contain_text("FY27 modernisation")
    expect(plan).to_contain_text("Move CI to GitLab")
    expect(plan.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "60")
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history")).to_contain_text("created account Borealis Bank")
    assert page.evaluate("window.rhythmMarker") == "same page"

    # Back returns to the tab before; a full load of its address opens it again.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/success-plans/$"))
    expect(page.get_by_test_id("success-plan")).to_contain_text("FY27 modernisation")
    page.reload()
    expect(page.get_by_test_id("tab-success-plans")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("success-plan")).to_contain_text("Move CI to GitLab")
    assert page.problems == []  # type: ignore[attr-defined]


def test_pages_and_filters_move_without_a_reload(page: Page, demo):
    page.goto("/login/?next=/accounts/")
    _sign_in(page, "martin.cse", demo["password"])
    page.evaluate("window.rhythmMarker = 'same page'")
    page.get_by_label("Segment").select_option(label="Scale")
    expect(_count(page)).to_have_text("1–25 of 36 accounts")
    page.get_by_role("link", name="Next").click()
    expect(_count(page)).to_have_text("26–36 of 36 accounts")
    expect(page).to_have_url(re.compile(r"page=2"))
    page.get_by_label("Sort by").select_option(label="Name")
    page.get_by_label("Archived").select_option("true")
    expect(page.get_by_test_id("account-table")).to_contain_text("No accounts match these filters.")
    assert page.evaluate("window.rhythmMarker") == "same page"

    # A full load of the pushed URL shows the same choices.
    page.reload()
    expect(page.get_by_label("Archived")).to_have_value("true")
    expect(page.get_by_test_id("account-table")).to_contain_text("No accounts match these filters.")
    assert page.problems == []  # type: ignore[attr-defined]


def test_back_after_filtering_shows_the_filters_of_the_list_it_restores(page: Page, demo):
    page.goto("/login/?next=/accounts/")
    _sign_in(page, "martin.cse", demo["password"])
    page.get_by_label("Region").select_option("EMEA")
    expect(page).to_have_url(re.compile(r"region=EMEA"))
    page.get_by_label("Segment").select_option(label="Scale")
    expect(page).to_have_url(re.compile(r"segment="))
    filtered = _count(page).inner_text()

    page.go_back()
    expect(page).to_have_url(re.compile(r"region=EMEA$"))
    expect(page.get_by_label("Segment")).to_have_value("")
    expect(page.get_by_label("Region")).to_have_value("EMEA")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.get_by_label("Region")).to_have_value("")
    expect(_count(page)).to_contain_text("of 38 accounts")
    page.go_forward()
    expect(page.get_by_label("Region")).to_have_value("EMEA")
    page.go_forward()
    expect(page.get_by_label("Segment")).not_to_have_value("")
    expect(_count(page)).to_have_text(filtered)
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_csm_sees_their_accounts_and_signs_out(page: Page, demo):
    page.goto("/")
    _sign_in(page, "sofia.csm", demo["password"])
    page.get_by_role("link", name="Accounts", exact=True).click()
    expect(_count(page)).to_contain_text("of 37 accounts")  # not Boreal Mining
    page.get_by_label("Search").fill("boreal")
    expect(_count(page)).to_have_text("1 account")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/accounts/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_the_first_tab_offers_to_skip_to_the_content(page: Page, demo):
    page.goto("/login/?next=/accounts/")
    _sign_in(page, "martin.cse", demo["password"])
    expect(_count(page)).to_contain_text("of 38 accounts")  # the page has loaded
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_on_a_phone_the_menu_folds_behind_a_toggler(page: Page, demo):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/login/?next=/accounts/")
    _sign_in(page, "martin.cse", demo["password"])
    accounts = page.get_by_role("link", name="Accounts", exact=True)
    expect(accounts).to_be_hidden()
    page.get_by_role("button", name="Show the menu").click()
    expect(accounts).to_be_visible()
    accounts.click()
    expect(_count(page)).to_contain_text("of 38 accounts")
    # Wide tables scroll within themselves; the page itself never scrolls sideways.
    page.get_by_role("link", name="Borealis Bank").click()
    expect(page.get_by_test_id("account-title")).to_have_text("Borealis Bank")
    for path in (page.url, "/accounts/", "/ctas/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    assert page.problems == []  # type: ignore[attr-defined]


def test_an_expired_session_sends_the_whole_page_to_sign_in(page: Page, demo):
    page.goto("/login/?next=/accounts/")
    _sign_in(page, "martin.cse", demo["password"])
    expect(_count(page)).to_contain_text("of 38 accounts")
    page.context.clear_cookies()
    page.get_by_label("Search").fill("borea")
    # Not the sign-in form swapped into the table: the browser goes to sign in.
    expect(page).to_have_url(re.compile(r"/login/\?next=/accounts/%3Fq%3Dborea"))
    _sign_in(page, "martin.cse", demo["password"])
    expect(_count(page)).to_have_text("2 accounts")
    expect(page.get_by_label("Search")).to_have_value("borea")
