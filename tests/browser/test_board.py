"""The board in a real browser: a card dragged where the rules refuse goes back, with
the reason and the moves the viewer may make; a move offered on the board is made
from there; a drag the rules allow moves the card and the counts follow; and a board
of 300 cards fits the window, its columns scrolling on their own. Screenshots of the
300-card board for a CSE manager and a CSE, at 1440×900 and 390×844, go to
var/screens/board/ (for a person to look at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bench import board as full_board
from django.conf import settings
from playwright.sync_api import Page, expect

from rhythm.cases import services as cases
from rhythm.engagements import services as engagements
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from tests.browser.test_engagements import _offering_id, _sign_in, demo  # noqa: F401
from tests.engagements.helpers import move
from tests.engagements_fixtures import TARGET_START
from tests.factories import AccountFactory

pytestmark = pytest.mark.browser

SCREENS = Path(settings.VAR_DIR) / "screens" / "board"
SIZES = {"1440": (1440, 900), "390": (390, 844)}


def _card(page: Page, column: str, key: str):
    return page.get_by_test_id(f"column-{column}").locator(f'[data-card="{key}"]')


def _request(team):
    return engagements.file_request(
        team["csm"],
        {
            "account": team["account"].pk,
            "objective": team["objective"].pk,
            "title": "CI for three product teams",
            "effort_kind": "one_off",
            "target_start_date": TARGET_START,
            "outcome": "Every team builds on GitLab CI.",
            "metrics": ["Pipelines under 10 minutes"],
            "deliverables": ["Reference pipeline"],
        },
        [{"name": "Grace Hopper", "role_title": "VP Eng", "responsibilities": "Sponsor"}],
    )


def _at_rest(page: Page, locator) -> None:
    """Sortable ignores a drag that starts while a card still slides back (`animated`
    is set until the slide ends; with reduced motion there is none, but say so)."""
    page.wait_for_function("(card) => !card.animated", arg=locator.element_handle())


def test_a_refused_drag_goes_back_and_offers_the_viewers_own_moves(page: Page, demo):  # noqa: F811
    request = _request(demo)
    key = f"request-{request.pk}"
    _sign_in(page, demo, "manager")
    page.get_by_role("link", name="Board", exact=True).click()
    card = _card(page, "review", key)
    expect(card).to_be_visible()
    card.drag_to(page.get_by_test_id("column-complete"))

    message = page.get_by_test_id("board-message")
    expect(message).to_have_attribute("data-state", "refused")
    expect(message).to_contain_text("A request in Review cannot move to Complete.")
    expect(message).to_have_class(re.compile(r"alert-warning"))
    offers = message.get_by_test_id("board-offer")
    # The manager's own moves from Review, each on the page that asks what it needs;
    # the CSM's withdrawal is not offered.
    expect(offers).to_have_text(
        [
            "Ask the CSM (Clarification) on its page",
            "Reject (Rejected) on its page",
            "Qualify and assign (Started) on its page",
        ]
    )
    expect(_card(page, "review", key)).to_have_count(1)
    expect(_card(page, "complete", key)).to_have_count(0)
    expect(_card(page, "review", key)).to_have_class(re.compile(r"is-refused"))
    request.refresh_from_db()
    assert request.state == RequestState.REVIEW

    # Qualifying needs the CSE: refused as the API refuses it (422), with the way there.
    card = _card(page, "review", key)
    _at_rest(page, card)
    card.drag_to(page.get_by_test_id("column-started"))
    expect(message).to_contain_text("Qualify it on the request page: choose the CSE there.")
    message.get_by_role("link", name="Qualify and assign (Started) on its page").click()
    expect(page).to_have_url(re.compile(rf"/engagements/{request.pk}/#move-qualify$"))
    expect(page.get_by_test_id("move-qualify")).to_be_visible()
    # The refusals are the only errors the page saw: the move endpoint's 409 and 422.
    refusals = re.compile(r"(409|422) |status of (409|422)")
    problems = [p for p in page.problems if not refusals.search(p)]  # type: ignore[attr-defined]
    assert problems == []


def test_a_move_offered_on_the_board_is_made_from_there(page: Page, demo):  # noqa: F811
    request = _request(demo)
    move(request, demo["manager"], "started", cse=demo["cse"].pk)
    move(request, demo["cse"], "complete")
    key = f"request-{request.pk}"
    _sign_in(page, demo, "cse")
    page.goto("/engagements/board/")
    _card(page, "complete", key).drag_to(page.get_by_test_id("column-rejected"))
    message = page.get_by_test_id("board-message")
    expect(message).to_contain_text("A request in Complete cannot move to Rejected.")
    offer = message.get_by_test_id("board-offer")
    expect(offer).to_have_text(["Close (Closed)"])
    offer.click()
    expect(message).to_have_attribute("data-state", "moved")
    expect(message).to_have_text("Moved to Closed.")
    expect(_card(page, "closed", key)).to_have_count(1)
    expect(page.get_by_test_id("count-complete")).to_have_text("0")
    expect(page.get_by_test_id("count-closed")).to_have_text("1")
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED
    assert [p for p in page.problems if "409" not in p] == []  # type: ignore[attr-defined]


def test_a_drag_the_rules_allow_moves_the_card_and_the_counts_follow(page: Page, demo):  # noqa: F811
    cta = cases.open_case(
        demo["ae"],
        {
            "opportunity": demo["opportunity"].pk,
            "offering": _offering_id(),
            "contact": demo["contact"].pk,
            "challenges": "Pipelines take 40 minutes.",
        },
    ).case.cta
    _sign_in(page, demo, "cse")
    page.goto("/engagements/board/")
    page.get_by_test_id("kind-ctas").click()
    expect(page).to_have_url(re.compile(r"\?kind=ctas$"))
    expect(page.get_by_test_id("count-open")).to_have_text("1")
    _card(page, "open", f"cta-{cta.pk}").drag_to(page.get_by_test_id("column-in_progress"))
    expect(page.get_by_test_id("board-message")).to_have_text("Accepted: the CTA is yours.")
    expect(page.get_by_test_id("count-in_progress")).to_have_text("1")
    expect(page.get_by_test_id("count-open")).to_have_text("0")
    taken = _card(page, "in_progress", f"cta-{cta.pk}")
    expect(taken.get_by_test_id("card-owner")).to_have_attribute("title", "Martin Brummer")
    cta.refresh_from_db()
    assert cta.owner == demo["cse"]
    # Filters apply as they change and stay in the address; lanes per CSE show limits.
    page.get_by_label("Swimlanes").select_option("cse")
    expect(page).to_have_url(re.compile(r"kind=ctas&lanes=cse"))
    lane = page.get_by_test_id("lane").filter(has_text="Martin Brummer")
    expect(lane.get_by_test_id("wip")).to_contain_text("/ 40 h")
    expect(
        page.get_by_test_id(f"cell-in_progress-{demo['cse'].pk}").get_by_test_id("card")
    ).to_have_count(1)
    assert page.problems == []  # type: ignore[attr-defined]


def _layout(page: Page) -> dict:
    """The board's box, the window's height, and each column's scrolling, in one read."""
    return page.evaluate(
        """() => {
          const board = document.querySelector('.board').getBoundingClientRect();
          const cells = [...document.querySelectorAll('.board-cell')].map((c) => ({
            column: c.dataset.column, scrolls: c.scrollHeight > c.clientHeight,
            height: c.clientHeight}));
          const cards = [...document.querySelectorAll('.board-card')].map(
            (c) => c.getBoundingClientRect().height);
          return {bottom: board.bottom, right: board.right, window: window.innerHeight,
                  width: document.documentElement.clientWidth,
                  pageWidth: document.documentElement.scrollWidth, cells, cards};
        }"""
    )


def test_a_board_of_300_cards_fits_the_window_and_its_columns_scroll(page: Page, demo):  # noqa: F811
    accounts = [
        AccountFactory(
            name=f"{name} {sector}",
            segment=demo["account"].segment,
            region=("AMER", "EMEA", "APAC")[i % 3],
            account_owner=demo["ae"],
            csm=demo["csm"],
        )
        for i, (name, sector) in enumerate(
            (name, sector)
            for name in ("Borealis", "Cobalt", "Dunmore", "Eastwind", "Fjord", "Granite")
            for sector in ("Bank", "Health", "Retail", "Energy", "Media")
        )
    ]
    full_board.fill(300, accounts=accounts)
    SCREENS.mkdir(parents=True, exist_ok=True)
    for who in ("manager", "cse"):
        _sign_in(page, demo, who)
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto("/engagements/board/")
            expect(page.get_by_test_id("board-total")).to_have_text("300 cards")
            expect(page.get_by_test_id("column-review").get_by_test_id("card")).to_have_count(50)
            layout = _layout(page)
            # The board ends inside the window; nothing but the board scrolls sideways.
            assert layout["bottom"] <= layout["window"], (who, size, layout["bottom"])
            assert layout["pageWidth"] <= layout["width"], (who, size)
            assert any(c["scrolls"] for c in layout["cells"] if c["column"] == "review")
            assert max(layout["cards"]) < 100, "compact cards"
            page.screenshot(path=str(SCREENS / f"{who}-requests-{size}.png"))
            page.goto("/engagements/board/?lanes=cse")
            expect(page.get_by_test_id("lane").first).to_contain_text("Unassigned")
            expect(page.get_by_test_id("over-limit").first).to_be_visible()
            page.screenshot(path=str(SCREENS / f"{who}-lanes-{size}.png"))
            page.goto("/engagements/board/?kind=ctas")
            expect(page.get_by_test_id("board-total")).to_have_text("300 cards")
            page.screenshot(path=str(SCREENS / f"{who}-ctas-{size}.png"))
    assert EngagementRequest.objects.count() == 300
    assert page.problems == []  # type: ignore[attr-defined]
