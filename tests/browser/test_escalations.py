"""Issue 14's "Done when", the escalations half: a manager opens an escalation case's
verdict, sees each reason with its figure, and approves it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rhythm.cases import services as cases
from rhythm.escalations import services as escalations
from rhythm.escalations.models import Escalation
from rhythm.people.choices import Role
from tests.factories import (
    PASSWORD,
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def escalated(transactional_db):
    ae = UserFactory(
        username="ana.ae", first_name="Ana", last_name="Ortiz", roles=[Role.ACCOUNT_OWNER]
    )
    manager = UserFactory(
        username="maria.manager", first_name="Maria", last_name="Lopez", roles=[Role.CSE_MANAGER]
    )
    segment = SegmentFactory(
        name="Mid-Market", arr_floor=Decimal("100000"), arr_ceiling=Decimal("500000")
    )
    account = AccountFactory(
        name="Borealis Freight",
        segment=segment,
        arr=Decimal("412000"),
        lam=Decimal("250000"),
        renewal_date=timezone.localdate() + timedelta(days=40),
        account_owner=ae,
    )
    case = cases.open_case(
        ae,
        {
            "opportunity": OpportunityFactory(account=account, owner=ae).pk,
            "kind": "escalation",
            "contact": ContactFactory(account=account).pk,
            "challenges": "Merge trains stall; they are trialling another vendor.",
        },
    ).case
    escalation = escalations.raise_escalation(
        ae,
        {
            "case": case.pk,
            "kind": "account",
            "risk": "evaluating_vendors",
            "impact": "Merge trains stall on every release.",
        },
    ).escalation
    return {"manager": manager, "case": case, "escalation": escalation}


def _sign_in(page: Page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-menu")).to_have_text(str(user))


def test_a_manager_reads_each_reason_with_its_figure_and_approves(page: Page, escalated):
    page.set_viewport_size(LAPTOP)
    _sign_in(page, escalated["manager"])
    page.goto(escalated["case"].get_absolute_url())
    panel = page.get_by_test_id("case-escalation")
    expect(panel).to_contain_text("Raised")
    panel.get_by_test_id("case-escalation-link").click()

    reasons = page.get_by_test_id("verdict-reason")
    expect(reasons).to_have_count(3)
    expect(reasons.nth(0)).to_contain_text(
        "ARR $412,000 is 82.4% of the $500,000 ceiling of Mid-Market: meets ≥ 80%"
    )
    expect(reasons.nth(1)).to_contain_text("LAM $250,000: meets > $100,000")
    expect(reasons.nth(2)).to_contain_text("40 days away: within 3 months")
    expect(reasons.nth(2)).to_have_attribute("data-met", "true")
    expect(page.get_by_test_id("verdict-summary")).to_have_text(
        "Qualifies: ARR and LAM meet their thresholds, and the renewal is near."
    )
    expect(page.get_by_test_id("verdict-weighting")).to_contain_text("LAM > $100,000")
    expect(page.get_by_test_id("segment-quarter")).to_contain_text("Mid-Market has had 1 in Q")

    # The verdict and the decision sit side by side on a laptop: read in one step.
    boxes = page.evaluate(
        "() => ['verdict', 'actions'].map((id) => {"
        "  const r = document.querySelector(`[data-testid=${id}]`).getBoundingClientRect();"
        "  return {x: r.x, width: r.width, y: r.y};"
        "})"
    )
    verdict, actions = boxes
    assert actions["x"] >= verdict["x"] + verdict["width"], boxes

    approve = page.get_by_test_id("move-approve")
    approve.get_by_label("Why you approve it").fill(
        "Renewal in six weeks and a vendor trial under way."
    )
    approve.get_by_role("button", name="Approve").click()

    expect(page.get_by_test_id("escalation-status")).to_have_text("Approved")
    expect(page.get_by_test_id("transition-row")).to_have_count(2)
    expect(page.get_by_test_id("escalation-decision")).to_contain_text(
        "Renewal in six weeks and a vendor trial under way."
    )
    escalation = Escalation.objects.get(pk=escalated["escalation"].pk)
    assert escalation.state == "approved" and escalation.decided_by == escalated["manager"]
    assert page.problems == []  # type: ignore[attr-defined]
