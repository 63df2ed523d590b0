"""The engagements issue's "done when", walked in a real browser.

An AE opens a CS Help case from an opportunity page and sees its CTA at once; a CSE
accepts it and sends the drafted outreach, which goes to the outbox once; a CSM
files a complex request that goes through review to closed (the board's drags are
in test_board.py).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, expect

from rhythm.cases import services as cases
from rhythm.cases.models import Case
from rhythm.core.models import OutboundMessage
from rhythm.ctas.models import Cta
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role
from tests.engagements_fixtures import TARGET_START
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

CTA_NAME = "Borealis Bank - Ad-Hoc CSE Engagement Request"


@pytest.fixture
def demo(transactional_db):
    """A small team around one account: an AE, a CSM, two CSEs and their manager."""
    password = settings.RHYTHM_DEMO_PASSWORD
    strategic = SegmentFactory(name="Strategic", arr_floor=250000, arr_ceiling=2000000)
    people = {
        "ae": UserFactory(
            username="alex.ae", first_name="Alex", last_name="Owner", roles=[Role.ACCOUNT_OWNER]
        ),
        "csm": UserFactory(
            username="sofia.csm", first_name="Sofia", last_name="Reyes", roles=[Role.CSM]
        ),
        "cse": UserFactory(
            username="martin.cse",
            first_name="Martin",
            last_name="Brummer",
            roles=[Role.CSE],
            covered_regions=["EMEA"],
            weekly_capacity_hours=Decimal("40"),
        ),
        "other_cse": UserFactory(
            username="kenji.cse",
            first_name="Kenji",
            last_name="Tanaka",
            roles=[Role.CSE],
            covered_regions=["APAC"],
            weekly_capacity_hours=Decimal("40"),
        ),
        "manager": UserFactory(
            username="maria.manager",
            first_name="Maria",
            last_name="Lopez",
            roles=[Role.CSE_MANAGER],
        ),
        "ops": UserFactory(
            username="oscar.ops", first_name="Oscar", last_name="Ops", roles=[Role.CS_OPERATIONS]
        ),
    }
    for person in people.values():
        person.set_password(password)
        person.save(update_fields=["password"])
    people["cse"].covered_segments.set([strategic])
    borealis = AccountFactory(
        name="Borealis Bank",
        segment=strategic,
        region="EMEA",
        arr=900000,
        account_owner=people["ae"],
        csm=people["csm"],
    )
    contact = ContactFactory(account=borealis, name="Grace Hopper", email="grace@borealis.example")
    opportunity = OpportunityFactory(account=borealis, name="Premium expansion", owner=people["ae"])
    plan = SuccessPlanFactory(account=borealis, name="FY27 modernisation")
    objective = ObjectiveFactory(success_plan=plan, title="Move CI to GitLab")
    return {
        **people,
        "password": password,
        "account": borealis,
        "contact": contact,
        "opportunity": opportunity,
        "objective": objective,
    }


def _sign_in(page: Page, demo, who: str) -> None:
    """Sign out whoever was signed in, then sign in as `who`."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Username").fill(demo[who].username)
    page.get_by_label("Password").fill(demo["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-menu")).to_have_text(str(demo[who]))


def _state(page: Page):
    return page.get_by_test_id("request-status")


def _boxes(page: Page, *locators: Locator) -> list[dict[str, float]]:
    """Where each element is, all read at the same moment (one script, one frame)."""
    elements = [locator.element_handle() for locator in locators]
    return page.evaluate(
        "(elements) => elements.map((e) => {"
        "  const r = e.getBoundingClientRect();"
        "  return {x: r.x, y: r.y, width: r.width, height: r.height};"
        "})",
        elements,
    )


def test_done_when_a_case_its_cta_and_a_request_through_review(page: Page, demo):
    # --- The AE opens a CS Help case from the opportunity page. -----------------
    _sign_in(page, demo, "ae")
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="Borealis Bank").click()
    page.get_by_test_id("tab-cases").click()  # the account's tabs load by htmx
    expect(page.get_by_test_id("cases")).to_contain_text("No CS Help cases yet.")
    page.get_by_test_id("tab-opportunities").click()
    page.get_by_role("link", name="Premium expansion").click()
    expect(page.get_by_test_id("opportunity-title")).to_have_text("Premium expansion")
    expect(page.get_by_test_id("cases")).to_contain_text("No CS Help cases yet.")
    page.get_by_test_id("cs-help").click()

    expect(page.get_by_label("CSE Help (not escalations)")).to_be_checked()
    page.get_by_label("On-demand catalog offering").select_option(
        label="Streamline Your CI Workflows"
    )
    page.get_by_label("Customer contact").select_option(
        label="Grace Hopper <grace@borealis.example>"
    )
    challenges = page.get_by_label("Challenges/Pain Points")
    challenges.fill("Pipelines take 40 minutes.\nThey want them under 10 — before the renewal.")
    # Counted as characters, the way the server counts them.
    expect(page.get_by_test_id("char-counter")).to_have_text("72 / 1000 characters")
    page.get_by_role("button", name="Open the case").click()

    expect(page.get_by_test_id("cta-name")).to_have_text(CTA_NAME)
    case = Case.objects.get()
    assert case.opened_by == demo["ae"] and case.opportunity == demo["opportunity"]
    assert Cta.objects.get(case=case).name == CTA_NAME
    page.get_by_role("link", name="Premium expansion").click()  # the case is on the opportunity
    expect(page.get_by_test_id("case-row")).to_have_count(1)

    # --- A CSE accepts the CTA; the outreach is in the outbox once. ----------------
    _sign_in(page, demo, "cse")
    page.get_by_role("link", name="CTAs", exact=True).click()
    page.get_by_role("link", name="Unassigned").click()
    page.get_by_role("link", name=CTA_NAME).click()
    expect(page.get_by_test_id("cta-owner")).to_have_text("Unassigned")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("cta-owner")).to_have_text("Martin Brummer")
    # The outreach waits, drafted in their name, until they send it
    # (tests/browser/test_outreach.py rewords it first).
    page.get_by_test_id("send-outreach").click()
    expect(page.get_by_test_id("outreach")).to_contain_text("grace@borealis.example")
    page.reload()  # a second look, a second send would change nothing
    cta = Cta.objects.get(case=case)
    outreach = OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta.pk}")
    assert outreach.count() == 1
    assert outreach.get().to == ["grace@borealis.example"]
    assert outreach.get().cc == [demo["ae"].email]

    # Tasks tick off in place (htmx), without a reload.
    page.evaluate("window.rhythmMarker = 'same page'")
    schedule = page.get_by_test_id("task").filter(has_text="Schedule")
    schedule.get_by_test_id("task-toggle").click()
    expect(schedule).to_have_attribute("data-status", "done")
    assert page.evaluate("window.rhythmMarker") == "same page"
    # By keyboard: the focus stays on the task, so Enter ticks it back.
    expect(schedule.get_by_test_id("task-toggle")).to_be_focused()
    page.keyboard.press("Enter")
    expect(schedule).to_have_attribute("data-status", "open")
    expect(schedule.get_by_test_id("task-toggle")).to_be_focused()
    page.keyboard.press("Enter")
    expect(schedule).to_have_attribute("data-status", "done")

    # --- A CSM files a complex request. ------------------------------------------------
    _sign_in(page, demo, "csm")
    page.goto(f"/accounts/{demo['account'].pk}/")
    page.get_by_test_id("file-request").click()
    page.get_by_label("Success-plan objective").select_option(
        label="FY27 modernisation — Move CI to GitLab"
    )
    page.get_by_label("Title").fill("CI for three product teams")
    page.get_by_label("A duration in weeks").check()
    page.get_by_label("Duration (weeks)").fill("6")
    page.get_by_label("Effort (hours per week)").fill("5")
    page.get_by_label("Target start date").fill(TARGET_START.isoformat())
    page.get_by_label("Outcome").fill("Every team builds on GitLab CI.")
    page.get_by_label("Success metrics").fill("Pipelines under 10 minutes")
    page.get_by_label("Deliverables").fill("Reference pipeline\nTwo workshops")
    page.get_by_label("Stakeholder 1 name").fill("Grace Hopper")
    page.get_by_label("Stakeholder 1 role").fill("VP Engineering")
    page.get_by_label("Stakeholder 1 responsibilities").fill("Sponsor; signs off")
    # Each stakeholder's fields fill a line of their own, one line under the other:
    # both read in one script, so a scroll between two reads cannot move one of them.
    first, second = _boxes(page, *(page.get_by_label(f"Stakeholder {n} name") for n in (1, 2)))
    assert second["y"] > first["y"] + first["height"] / 2
    assert abs(second["x"] - first["x"]) < 1
    # Three rows are there; a fourth stakeholder gets a row of their own.
    page.get_by_test_id("add-stakeholder").click()
    page.get_by_label("Stakeholder 4 name").fill("Linus Pauling")
    page.get_by_label("Stakeholder 4 role").fill("Platform lead")
    page.get_by_label("Stakeholder 4 responsibilities").fill("Runs the runners")
    page.get_by_role("button", name="File the request").click()
    expect(_state(page)).to_have_text("Review")
    request_url = page.url
    request = EngagementRequest.objects.get()
    assert [s.name for s in request.stakeholders.order_by("id")] == [
        "Grace Hopper",
        "Linus Pauling",
    ]

    # --- The manager asks a question. ---------------------------------------------------
    _sign_in(page, demo, "manager")
    page.get_by_role("link", name="Requests", exact=True).click()
    page.get_by_role("link", name="CI for three product teams").click()
    page.get_by_label("Your question").fill("Which runners do they use?")
    page.get_by_test_id("move-ask").click()
    expect(_state(page)).to_have_text("Clarification")

    # --- The CSM answers. ---------------------------------------------------------------
    _sign_in(page, demo, "csm")
    page.goto(request_url)
    expect(page.get_by_test_id("transitions")).to_contain_text("Which runners do they use?")
    page.get_by_label("Your answer").fill("Self-managed Linux runners.")
    page.get_by_test_id("move-answer").click()
    expect(_state(page)).to_have_text("Review")

    # --- The manager qualifies it with the suggested CSE (the first option). -----------
    _sign_in(page, demo, "manager")
    page.goto(request_url)
    cse_select = page.get_by_test_id("cse-select")
    first = cse_select.locator("option").first
    expect(first).to_contain_text("1. Martin Brummer (suggested)")
    expect(first).to_contain_text("Covers EMEA")
    expect(cse_select).to_have_value(str(demo["cse"].pk))
    page.get_by_test_id("move-qualify").click()
    expect(_state(page)).to_have_text("Started")
    expect(page.get_by_test_id("assigned-cse")).to_have_text("Martin Brummer")
    expect(page.get_by_test_id("request-cta-status")).to_have_text("In progress")

    # --- The CSE completes it, and closes it. -------------------------------------------
    _sign_in(page, demo, "cse")
    page.goto(request_url)
    # Marking complete asks, for each agreed deliverable, whether it was achieved
    # and on time; without the answers it is refused beside the questions.
    page.get_by_test_id("move-complete").click()
    expect(page.locator('[data-field="deliverables.0.achieved"]')).to_contain_text("was achieved")
    expect(_state(page)).to_have_text("Started")
    for deliverable in page.get_by_test_id("deliverable").all():
        deliverable.locator('input[value="yes"]').nth(0).check()
        deliverable.locator('input[value="yes"]').nth(1).check()
    page.get_by_label("Link of the doc or guideline it updated").fill(
        "https://docs.example/runbooks/ci-caching"
    )
    page.get_by_test_id("move-complete").click()
    expect(_state(page)).to_have_text("Complete")
    expect(page.get_by_test_id("doc-updated-link")).to_contain_text("ci-caching")
    expect(page.get_by_test_id("deliverable-outcomes")).to_contain_text("achieved on time")
    page.get_by_test_id("move-close").click()
    expect(_state(page)).to_have_text("Closed")
    expect(page.get_by_test_id("request-cta-status")).to_have_text("Closed")
    page.get_by_test_id("request-cta").get_by_role("link").click()
    expect(page.get_by_test_id("cta-status")).to_have_text("Closed")

    request.refresh_from_db()
    assert request.state == RequestState.CLOSED and request.assigned_cse == demo["cse"]
    assert Cta.objects.get(request=request).status == "closed"
    assert [t.to_state for t in request.transitions.order_by("at", "id")] == [
        "review",
        "clarification",
        "review",
        "started",
        "complete",
        "closed",
    ]
    # The account's timeline tells the whole story (a request's steps folded into one group).
    page.goto(f"/accounts/{demo['account'].pk}/timeline/")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Engagement request filed: CI for three product teams")
    expect(timeline).to_contain_text(f"CTA raised: {CTA_NAME}")
    assert page.problems == []  # type: ignore[attr-defined]


def _offering_id() -> int:
    from rhythm.catalog.models import Offering

    return Offering.objects.get(name="Streamline Your CI Workflows").pk


def test_cs_operations_reorder_and_remove_playbook_steps(page: Page, demo):
    from rhythm.ctas.models import Playbook

    playbook = Playbook.objects.get()
    steps = list(playbook.steps.order_by("position"))
    _sign_in(page, demo, "ops")
    page.get_by_role("link", name="Playbooks", exact=True).click()
    page.get_by_role("link", name=playbook.name).click()
    rows = page.get_by_test_id("step-row")
    expect(rows).to_have_count(len(steps))

    last = rows.nth(len(steps) - 1)
    last.get_by_label(f"Position of {steps[-1].title}").fill("1")
    last.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("Step saved")
    expect(rows.first.get_by_label("Task of step 1")).to_have_value(steps[-1].title)

    # Remove asks first: dismissed, nothing happens; accepted, the step goes.
    page.once("dialog", lambda dialog: dialog.dismiss())
    rows.first.get_by_test_id("remove-step").click()
    expect(rows).to_have_count(len(steps))
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_test_id("remove-step").click()
    expect(rows).to_have_count(len(steps) - 1)
    expect(page.get_by_role("alert").first).to_contain_text("removed")
    assert page.problems == []  # type: ignore[attr-defined]


def test_closing_a_cta_asks_which_tasks_were_done_and_why_the_rest_are_skipped(page: Page, demo):
    from rhythm.ctas import services as ctas
    from rhythm.ctas.models import CtaTask

    cta = cases.open_case(
        demo["ae"],
        {
            "opportunity": demo["opportunity"].pk,
            "offering": _offering_id(),
            "contact": demo["contact"].pk,
            "challenges": "Pipelines take 40 minutes.",
        },
    ).case.cta
    ctas.accept(cta, cse=demo["cse"], actor=demo["cse"])
    _sign_in(page, demo, "cse")
    page.goto(f"/ctas/{cta.pk}/")
    page.get_by_text("Close this CTA").click()  # folded away until it is asked for
    form = page.get_by_test_id("close-form")
    form.get_by_label("Done: Schedule the call").check()
    form.get_by_test_id("close").click()
    # Tasks left unticked need a reason: refused beside the field, the tick kept.
    form = page.get_by_test_id("close-form")
    expect(form.locator("#close-skip-error")).to_contain_text(
        "Say why the 4 unticked tasks are skipped"
    )
    expect(form.get_by_label("Done: Schedule the call")).to_be_checked()
    form.get_by_label("Why are the others skipped?").fill("Answered by email.")
    form.get_by_test_id("close").click()
    expect(page.get_by_test_id("cta-status")).to_have_text("Closed")
    schedule = CtaTask.objects.get(cta=cta, title="Schedule the call")
    assert schedule.status == "done" and schedule.completed_by == demo["cse"]
    skipped = CtaTask.objects.filter(cta=cta, status="skipped", note="Skipped: Answered by email.")
    assert skipped.exists()
    assert page.problems == []  # type: ignore[attr-defined]
