"""Duplicates flagged, in a real browser: a second CS Help case for the same offering,
or a second request on the same objective, shows the warning with a link to the
first and asks why; with a reason it is filed. Screenshots of both forms at 1280 px
and 375 px go to var/screens/ (for a person to look at)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from rhythm.cases import services as cases
from rhythm.cases.models import Case
from rhythm.engagements import services as engagements
from rhythm.engagements.models import EngagementRequest
from tests.browser.test_engagements import _offering_id, _sign_in, demo  # noqa: F401
from tests.engagements_fixtures import TARGET_START

pytestmark = pytest.mark.browser

SCREENS = Path(settings.VAR_DIR) / "screens"
WIDTHS = {"desktop": 1280, "phone": 375}


def _shoot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.get_by_test_id("duplicate-warning").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_second_case_warns_links_the_first_and_opens_with_a_reason(page: Page, demo):  # noqa: F811
    first = cases.open_case(
        demo["ae"],
        {
            "opportunity": demo["opportunity"].pk,
            "offering": _offering_id(),
            "contact": demo["contact"].pk,
            "challenges": "Pipelines take 40 minutes.",
        },
    ).case
    _sign_in(page, demo, "ae")
    page.goto(f"/cases/new/{demo['opportunity'].pk}/")
    page.get_by_label("On-demand catalog offering").select_option(str(_offering_id()))
    page.get_by_label("Customer contact").select_option(str(demo["contact"].pk))
    page.get_by_label("Challenges/Pain Points").fill("The platform team's runners are saturated.")
    page.get_by_role("button", name="Open the case").click()

    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text(
        f"Case #{first.pk} (Streamline Your CI Workflows) is still open on this opportunity."
    )
    expect(warning.get_by_test_id("duplicate-first")).to_have_attribute(
        "href", first.get_absolute_url()
    )
    _shoot(page, "duplicate-case")
    page.get_by_label("Why file it anyway?").fill("The platform team asks apart from the apps.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_test_id("duplicate-reason")).to_contain_text("apart from the apps")
    assert Case.objects.count() == 2
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_second_request_warns_links_the_first_and_files_with_a_reason(page: Page, demo):  # noqa: F811
    first = engagements.file_request(
        demo["csm"],
        {
            "account": demo["account"].pk,
            "objective": demo["objective"].pk,
            "title": "CI for three product teams",
            "effort_kind": "one_off",
            "target_start_date": TARGET_START,
            "outcome": "Every team builds on GitLab CI.",
            "metrics": ["Pipelines under 10 minutes"],
            "deliverables": ["Reference pipeline"],
        },
        [{"name": "Grace Hopper", "role_title": "VP Eng", "responsibilities": "Sponsor"}],
    )
    _sign_in(page, demo, "csm")
    page.goto(f"/engagements/new/{demo['account'].pk}/")
    page.get_by_label("Success-plan objective").select_option(str(demo["objective"].pk))
    page.get_by_label("Target start date").fill(TARGET_START.isoformat())
    page.get_by_label("Outcome").fill("The platform team runs its own runners.")
    page.get_by_label("Success metrics").fill("Runner queue under a minute")
    page.get_by_label("Deliverables").fill("Runner fleet design")
    page.get_by_label("Stakeholder 1 name").fill("Grace Hopper")
    page.get_by_label("Stakeholder 1 role").fill("VP Eng")
    page.get_by_label("Stakeholder 1 responsibilities").fill("Sponsor")
    page.get_by_role("button", name="File the request").click()

    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text(
        f"Request #{first.pk} (CI for three product teams) is still open on this objective"
    )
    expect(warning.get_by_test_id("duplicate-first")).to_have_attribute(
        "href", first.get_absolute_url()
    )
    _shoot(page, "duplicate-request")
    page.get_by_label("Why file it anyway?").fill("Phase two: the platform team.")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_test_id("duplicate-reason")).to_contain_text("Phase two")
    assert EngagementRequest.objects.count() == 2
    assert page.problems == []  # type: ignore[attr-defined]
