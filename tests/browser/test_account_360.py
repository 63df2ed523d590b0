"""The account page as a 360, in a real browser: a CSM whose account has no success
plan yet makes one and its objective, and files a complex request on it, without
leaving the UI; and the timeline folds an object's events into one group."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from rhythm.customers.models import Objective, SuccessPlan
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.engagements_fixtures import TARGET_START
from tests.factories import AccountFactory, ContactFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db):
    password = settings.RHYTHM_DEMO_PASSWORD
    csm = UserFactory(username="sofia.csm", first_name="Sofia", last_name="Reyes", roles=[Role.CSM])
    csm.set_password(password)
    csm.save(update_fields=["password"])
    strategic = SegmentFactory(name="Strategic", arr_floor=250000, arr_ceiling=2000000)
    account = AccountFactory(
        name="Borealis Bank",
        segment=strategic,
        region="EMEA",
        arr=900000,
        csm=csm,
        # 60 days from the CSM's today, as the page counts (in their time zone).
        renewal_date=timezone.localdate(timezone=ZoneInfo(csm.time_zone)) + timedelta(days=60),
    )
    ContactFactory(account=account, name="Grace Hopper", email="grace@borealis.example")
    return {"csm": csm, "password": password, "account": account}


def _sign_in(page: Page, team) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(team["csm"].username)
    page.get_by_label("Password").fill(team["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-menu")).to_have_text("Sofia Reyes")


def test_a_csm_makes_a_plan_and_its_objective_and_files_a_request_on_it(page: Page, team):
    _sign_in(page, team)
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="Borealis Bank").click()
    expect(page.get_by_test_id("plans-health")).to_contain_text("No objectives")
    expect(page.get_by_test_id("renewal")).to_contain_text("in 60 days")

    # The request form says what is missing, and leads to where it is made.
    page.get_by_test_id("file-request").click()
    expect(page.get_by_test_id("no-objectives")).to_be_visible()
    # What the CSM has typed already comes round with them.
    page.get_by_label("Title").fill("CI for three product teams")
    page.get_by_label("A duration in weeks").check()
    page.get_by_label("Outcome").fill("Every team builds on GitLab CI.")
    page.get_by_test_id("add-objective-first").click()
    expect(page).to_have_url(re.compile(r"/accounts/\d+/success-plans/\?next="))
    expect(page.get_by_test_id("plans-next")).to_contain_text("Your engagement request waits")
    expect(page.get_by_test_id("no-plans")).to_be_visible()

    # A plan, in a form that opens inside the tab.
    page.get_by_test_id("new-plan").click()
    plan_form = page.get_by_test_id("plan-form")
    plan_form.get_by_label("Name").fill("FY27 modernisation")
    plan_form.get_by_label("Summary").fill("Move the product teams to GitLab CI this year.")
    plan_form.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_test_id("plan-name")).to_have_text("FY27 modernisation")
    expect(page.get_by_test_id("no-objectives")).to_be_visible()
    expect(page.get_by_test_id("plans-next")).to_be_visible()  # the way back is kept

    # Its objective; a progress over 100 is refused beside the field, in place.
    page.get_by_test_id("add-objective").click()
    form = page.get_by_test_id("plan-form")
    form.get_by_label("Title").fill("Move CI to GitLab")
    form.get_by_label("Amber").check()
    form.get_by_label("Progress (%)").fill("150")
    form.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=90)).isoformat())
    form.get_by_role("button", name="Add the objective").click()
    expect(page.get_by_test_id("plan-form")).to_contain_text(
        "Ensure this value is less than or equal to 100."
    )
    expect(page.get_by_label("Progress (%)")).to_have_attribute("aria-invalid", "true")
    assert not Objective.objects.exists()
    page.get_by_label("Progress (%)").fill("20")
    page.get_by_role("button", name="Add the objective").click()

    # Back on the request form, with the new objective chosen.
    expect(page).to_have_url(re.compile(r"/engagements/new/\d+/\?objective=\d+$"))
    objective = Objective.objects.get()
    assert objective.success_plan == SuccessPlan.objects.get(name="FY27 modernisation")
    assert (objective.status, objective.progress) == ("amber", 20)
    expect(page.get_by_label("Success-plan objective")).to_have_value(str(objective.pk))
    expect(page.get_by_test_id("no-objectives")).to_have_count(0)
    expect(page.get_by_label("Title")).to_have_value("CI for three product teams")
    expect(page.get_by_label("A duration in weeks")).to_be_checked()
    expect(page.get_by_label("Outcome")).to_have_value("Every team builds on GitLab CI.")

    page.get_by_label("Duration (weeks)").fill("6")
    page.get_by_label("Effort (hours per week)").fill("5")
    page.get_by_label("Target start date").fill(TARGET_START.isoformat())
    page.get_by_label("Success metrics").fill("Pipelines under 10 minutes")
    page.get_by_label("Deliverables").fill("Reference pipeline")
    page.get_by_label("Stakeholder 1 name").fill("Grace Hopper")
    page.get_by_label("Stakeholder 1 role").fill("VP Engineering")
    page.get_by_label("Stakeholder 1 responsibilities").fill("Sponsor; signs off")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Review")
    request = EngagementRequest.objects.get()
    assert request.objective == objective and request.requested_by == team["csm"]

    # The account shows it all: the plan's health, and the request waiting for review.
    page.get_by_role("link", name="Borealis Bank").first.click()
    expect(page.get_by_test_id("plans-health")).to_contain_text("Amber")
    expect(page.get_by_test_id("plans-health")).to_contain_text("20% complete")
    figure = page.get_by_test_id("figure").filter(has_text="Requests in review")
    expect(figure).to_contain_text("1")
    figure.click()
    expect(page.get_by_test_id("request-row")).to_contain_text("CI for three product teams")
    expect(page).to_have_url(re.compile(r"/requests/$"))
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_timeline_folds_an_objects_events_and_filters_by_kind(page: Page, team):
    account = team["account"]
    now = timezone.now()
    steps = ["raised", "accepted", "task ticked", "task ticked", "closed"]
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                account=account,
                kind="cta",
                title=f"CTA {step}",
                link="/ctas/1/",
                occurred_at=now - timedelta(minutes=10 - i),
            )
            for i, step in enumerate(steps)
        ]
        + [TimelineEntry(account=account, kind="note", title="Kick-off went well", occurred_at=now)]
    )
    _sign_in(page, team)
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_test_id("tab-timeline").click()
    entries = page.get_by_test_id("timeline-entry")
    expect(entries).to_have_count(2)  # the note, and the CTA's five entries as one
    expect(entries.first).to_contain_text("Kick-off went well")
    group = entries.nth(1)
    expect(group).to_contain_text("CTA closed")
    earlier = group.get_by_test_id("timeline-earlier")
    expect(earlier.first).to_be_hidden()
    group.get_by_text("4 earlier updates on this").click()
    expect(earlier).to_have_count(4)
    expect(earlier.first).to_be_visible()
    expect(earlier.last).to_contain_text("CTA raised")

    page.get_by_role("navigation", name="Filter the timeline by kind").get_by_role(
        "link", name="Note", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/timeline/\?kind=note$"))
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Kick-off went well")

    # A note added in place appears at the top.
    page.get_by_label("Add a note").fill("Renewal call booked")
    page.get_by_role("button", name="Add note").click()
    expect(entries.first).to_contain_text("Renewal call booked")
    assert page.problems == []  # type: ignore[attr-defined]
