"""The board through the HTTP client: columns named after their states with their
counts, compact cards with their age and due date, swimlanes per CSE (with each
CSE's work-in-progress limit) or per region, filters kept in the URL, and cells
paged by a cursor."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas.models import Cta
from rhythm.engagements import board
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role
from tests.engagements.helpers import HTMX
from tests.engagements.helpers import signed_in as _as
from tests.engagements_fixtures import TARGET_START
from tests.factories import (
    AccountFactory,
    ObjectiveFactory,
    SegmentFactory,
    SuccessPlanFactory,
    UserFactory,
)

BOARD = reverse("engagements:board")


def _requests_in(account, objective, csm, state: str, count: int, **fields) -> list:
    """Rows straight into the table: the board reads them, and hundreds are needed."""
    now = timezone.now()
    made = EngagementRequest.objects.bulk_create(
        EngagementRequest(
            **{
                "title": f"Request {state} {i}",
                "account": account,
                "objective": objective,
                "effort_kind": "one_off",
                "target_start_date": TARGET_START,
                "outcome": "x",
                "metrics": ["m"],
                "deliverables": ["d"],
                "state": state,
                "requested_by": csm,
                **fields,
            }
        )
        for i in range(count)
    )
    # Changed a minute apart, newest first (bulk_create stamps them all now).
    for i, request in enumerate(made):
        EngagementRequest.objects.filter(pk=request.pk).update(
            updated_at=now - timedelta(minutes=i)
        )
    return made


def _cards(html: str) -> list[str]:
    return re.findall(r'data-card="([a-z]+-\d+)"', html)


def _cell(html: str, testid: str) -> str:
    """One cell's (or column's) markup: from its element to the next cell's."""
    start = html.index(f'data-testid="{testid}"')
    rest = html[start:]
    ends = [m.start() for m in re.finditer(r'class="board-(cell|lane-head)"', rest)][1:2]
    return rest[: ends[0]] if ends else rest


def _next(client, html: str):
    """Follow a cell's "more" button, as HTMX does."""
    (url,) = re.findall(r'hx-get="([^"]+)" hx-swap="outerHTML" data-testid="load-more"', html)
    return client.get(unescape(url), headers=HTMX).content.decode()


def _page(client, **query) -> str:
    response = client.get(BOARD, query)
    assert response.status_code == 200
    return response.content.decode()


def test_columns_are_named_after_the_states_they_hold_with_their_counts(
    client, cast, account, objective, case_data
):
    for state, count in [("review", 3), ("clarification", 1), ("started", 2), ("rejected", 1)]:
        _requests_in(account, objective, cast.csm, state, count)
    cases.open_case(cast.account_owner, case_data)
    _as(client, cast.manager)
    html = _page(client)
    heads = re.findall(r'class="board-column-label">([^<]+)<', html)
    assert heads == ["Review", "Clarification", "Started", "Complete", "Rejected", "Closed"]
    counts = dict(re.findall(r'data-testid="count-(\w+)"[^>]*>(\d+)<', html))
    assert counts == {
        "review": "3",
        "clarification": "1",
        "started": "2",
        "complete": "0",
        "rejected": "1",
        "closed": "0",
    }
    assert 'data-testid="board-total">7 cards<' in html
    assert "No requests in Complete." in _cell(html, "column-complete")
    # The CTAs are a board of their own, with their own states.
    ctas = _page(client, kind="ctas")
    assert re.findall(r'class="board-column-label">([^<]+)<', ctas) == [
        "Open",
        "In progress",
        "Closed",
    ]
    assert len(_cards(ctas)) == 1 and _cards(ctas)[0].startswith("cta-")
    assert not any(card.startswith("request-") for card in _cards(ctas))


def test_a_card_shows_its_account_title_owner_age_and_due_date(
    client, cast, account, objective, case_data, covering_cse
):
    now = timezone.now()
    today = timezone.localdate()
    (waiting,) = _requests_in(
        account,
        objective,
        cast.csm,
        "review",
        1,
        target_start_date=today - timedelta(days=2),
        state_changed_at=now - timedelta(days=3, hours=2),
    )
    (running,) = _requests_in(
        account,
        objective,
        cast.csm,
        "started",
        1,
        assigned_cse=covering_cse,
        effort_kind="duration",
        duration_weeks=3,
        target_start_date=today + timedelta(days=1),
        state_changed_at=now - timedelta(hours=5),
    )
    _as(client, cast.cse)
    html = _page(client)
    late = _cell(html, "column-review")
    assert account.name in late and waiting.title in late
    assert re.search(r'data-testid="card-age"[^>]*>3 days<', late)
    # Its start has passed while it waits: late, and said so in words too.
    assert "rh-late" in late and ", 2 days late" in late
    assert "Starts " + (today - timedelta(days=2)).strftime("%-d %b") in late
    assert "Unassigned" in late
    going = _cell(html, "column-started")
    assert re.search(r'data-testid="card-age"[^>]*>5 hours<', going)
    end = today + timedelta(days=1, weeks=3)
    assert "Due " + end.strftime("%-d %b") in going and "rh-late" not in going
    initials = (covering_cse.first_name[0] + covering_cse.last_name[0]).upper()
    assert f'title="{covering_cse}"' in going and f">{initials}<" in going
    # A CTA's card names its offering; its name's account part is the line above.
    cases.open_case(cast.account_owner, case_data)
    cta = _cell(_page(client, kind="ctas"), "column-open")
    assert ">Ad-Hoc CSE Engagement Request<" in cta
    assert "Streamline Your CI Workflows" in cta
    assert "Due " in cta


def test_a_column_shows_fifty_cards_and_pages_the_rest(client, cast, account, objective):
    _requests_in(account, objective, cast.csm, "review", 110)
    _as(client, cast.cse)
    first = _cell(_page(client), "column-review")
    assert len(_cards(first)) == 50
    assert ">60 more</button>" in first
    second = _next(client, first)
    third = _next(client, second)
    assert len(_cards(second)) == 50 and len(_cards(third)) == 10
    assert "load-more" not in third
    every = _cards(first) + _cards(second) + _cards(third)
    assert len(set(every)) == 110
    ids = [int(card.split("-")[1]) for card in every]
    assert ids == sorted(ids)  # made a minute apart, the first newest: newest change first
    # A cursor that is not one gives the first page; an unknown column is not found.
    url = reverse("engagements:board-column", args=["review"])
    assert _cards(client.get(url, {"after": "x~2"}, headers=HTMX).content.decode()) == _cards(first)
    for column, kind in [("nowhere", "requests"), ("open", "requests"), ("review", "ctas")]:
        missing = reverse("engagements:board-column", args=[column])
        assert client.get(missing, {"kind": kind}, headers=HTMX).status_code == 404


def test_deep_pages_of_a_column_cost_what_the_first_does(
    client, cast, account, objective, django_assert_max_num_queries
):
    """Keyset paging: cards changed at the same instant are each shown once, and page
    three makes no more queries than page two."""
    _requests_in(account, objective, cast.csm, "review", 123)
    EngagementRequest.objects.update(updated_at=timezone.now() - timedelta(minutes=30))
    _as(client, cast.cse)
    pages = [_cell(_page(client), "column-review")]
    while "load-more" in pages[-1]:
        with django_assert_max_num_queries(6):
            pages.append(_next(client, pages[-1]))
    every = [card for page in pages for card in _cards(page)]
    assert len(every) == len(set(every)) == 123
    assert [len(_cards(page)) for page in pages] == [50, 50, 23]
    ids = [int(c.split("-")[1]) for c in every]
    assert ids == sorted(ids, reverse=True)  # at the same instant, newest id first


def test_filters_narrow_the_board_and_stay_in_its_url(client, cast, account, objective, offering):
    emea = AccountFactory(region="EMEA", csm=cast.csm, segment=SegmentFactory(name="Strategic"))
    emea_objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=emea))
    _requests_in(account, objective, cast.csm, "review", 2)
    mine = _requests_in(emea, emea_objective, cast.csm, "started", 3, assigned_cse=cast.cse)
    EngagementRequest.objects.filter(pk=mine[0].pk).update(offering=offering)
    _as(client, cast.manager)

    def count(**query) -> int:
        return len(_cards(_page(client, **query)))

    assert count() == 5
    assert count(region="EMEA") == 3
    assert count(segment=emea.segment_id) == 3
    assert count(owner=cast.cse.pk) == 3
    assert count(owner="none") == 2
    assert count(offering=offering.pk) == 1
    assert count(region="EMEA", owner="none") == 0
    # What a URL cannot mean is left out, not an error.
    assert count(region="Mars", owner="someone", kind="boards", lanes="diagonal") == 5

    html = _page(client, region="EMEA", owner=cast.cse.pk, lanes="cse")
    assert '<option value="EMEA" selected>' in html
    assert f'<option value="{cast.cse.pk}" selected>' in html
    assert '<option value="cse" selected>' in html
    # The other board keeps the filters; "Clear" drops them.
    kinds = re.findall(r'href="\?([^"]*)"[^>]*data-testid="kind-(\w+)"', html)
    assert {kind: unescape(query) for query, kind in kinds} == {
        "requests": f"lanes=cse&owner={cast.cse.pk}&region=EMEA",
        "ctas": f"kind=ctas&lanes=cse&owner={cast.cse.pk}&region=EMEA",
    }
    assert re.search(r'href="/engagements/board/"[^>]*data-testid="clear"', html)
    # A cell's next page is asked with the same filters.
    _requests_in(emea, emea_objective, cast.csm, "started", 60, assigned_cse=cast.cse)
    column = _cell(_page(client, region="EMEA"), "column-started")
    (more,) = re.findall(r'hx-get="([^"]+)"', column)
    assert unescape(more).endswith("&region=EMEA") and ">13 more<" in column
    assert len(_cards(_next(client, column))) == 13
    # Nothing matching says so, with the way back.
    empty = _page(client, region="APAC")
    assert "Nothing on this board matches the filters." in empty


def test_lanes_per_cse_show_each_cses_limit_and_mark_it_exceeded(
    client, cast, account, objective, settings
):
    settings.RHYTHM_CTA_HOURS_PER_WEEK = 2
    busy = cast.cse
    busy.weekly_capacity_hours = Decimal("10")
    busy.save()
    idle = UserFactory(
        username="idle", first_name="Ida", last_name="Idle", roles=[Role.CSE], region="EMEA"
    )
    # Two engagements of 5 h a week running now, and an open CTA of 2 h: 12 of 10 h.
    running = _requests_in(
        account,
        objective,
        cast.csm,
        "started",
        2,
        assigned_cse=busy,
        hours_per_week=Decimal("5"),
        target_start_date=timezone.localdate(),
    )
    waiting = _requests_in(account, objective, cast.csm, "review", 9)
    cta = Cta.objects.create(account=account, name="A CTA", owner=busy, status="in_progress")
    _as(client, cast.manager)
    html = _page(client, lanes="cse")
    lanes = re.findall(r'data-testid="lane" data-lane="([^"]+)"', html)
    assert lanes[0] == "none" and set(lanes[1:]) == {str(busy.pk), str(idle.pk)}
    busy_lane = html[html.index(f'data-lane="{busy.pk}"') :]
    busy_head = busy_lane[: busy_lane.index('class="board-cell"')]
    assert 'data-level="over"' in busy_head and "Over its limit" in busy_head
    assert "12 / 10 h" in busy_head and "2 cards" in busy_head
    assert "2 started engagements and 1 open CTA" in busy_head
    idle_lane = html[html.index(f'data-lane="{idle.pk}"') :]
    idle_head = idle_lane[: idle_lane.index('class="board-cell"')]
    assert 'data-level="room"' in idle_head and "0 / 40 h" in idle_head
    assert "Over its limit" not in idle_head and "0 cards" in idle_head
    # Each card is in its lane: the running ones in the busy CSE's, the waiting in
    # nobody's, six at most a cell, the rest a click away in the same lane.
    started = _cell(html, f"cell-started-{busy.pk}")
    assert set(_cards(started)) == {f"request-{r.pk}" for r in running}
    review = _cell(html, "cell-review-none")
    assert len(_cards(review)) == board.CELL and ">3 more<" in review
    rest = _next(client, review)
    assert len(set(_cards(review) + _cards(rest))) == len(waiting)
    assert "Unassigned" in html
    # The CTA is on the CTA board's lanes, not the requests'.
    assert f"cta-{cta.pk}" not in html
    assert f"cta-{cta.pk}" in _cell(
        _page(client, lanes="cse", kind="ctas"), f"cell-in_progress-{busy.pk}"
    )
    # One CSE's lane alone, with their filter.
    alone = _page(client, lanes="cse", owner=idle.pk)
    assert re.findall(r'data-testid="lane" data-lane="([^"]+)"', alone) == [str(idle.pk)]


def test_lanes_per_region_hold_the_cards_of_their_accounts(client, cast, account, objective):
    emea = AccountFactory(region="EMEA", csm=cast.csm)
    emea_objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=emea))
    _requests_in(account, objective, cast.csm, "review", 2)
    there = _requests_in(emea, emea_objective, cast.csm, "review", 1)
    _as(client, cast.cse)
    html = _page(client, lanes="region")
    assert re.findall(r'data-testid="lane" data-lane="([^"]+)"', html) == ["AMER", "EMEA", "APAC"]
    assert _cards(_cell(html, "cell-review-EMEA")) == [f"request-{there[0].pk}"]
    assert len(_cards(_cell(html, "cell-review-AMER"))) == 2
    assert 'data-testid="wip"' not in html  # a region has no limit of its own


def test_an_account_owner_sees_the_cards_of_their_accounts(client, cast, account, objective):
    _requests_in(account, objective, cast.csm, "review", 2)
    elsewhere = AccountFactory()
    _requests_in(
        elsewhere,
        ObjectiveFactory(success_plan=SuccessPlanFactory(account=elsewhere)),
        cast.csm,
        "review",
        3,
    )
    _as(client, cast.account_owner)
    assert len(_cards(_page(client))) == 2
    _as(client, cast.manager)
    assert len(_cards(_page(client))) == 5


def test_the_board_reloads_its_cards_alone_by_htmx(client, cast, account, objective):
    _requests_in(account, objective, cast.csm, "review", 2)
    _as(client, cast.cse)
    partial = client.get(BOARD, {"lanes": "cse"}, headers=HTMX)
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert 'data-query="lanes=cse"' in html and len(_cards(html)) == 2
    assert "HX-Request" in partial["Vary"]


def _ctas_in(account, owner, status: str, count: int) -> list[Cta]:
    """CTAs changed a minute apart, newest first."""
    now = timezone.now()
    made = []
    for i in range(count):
        cta = Cta.objects.create(account=account, name=f"CTA {i}", owner=owner, status=status)
        Cta.objects.filter(pk=cta.pk).update(updated_at=now - timedelta(minutes=i))
        made.append(cta)
    return made


def test_an_account_owners_lanes_hold_their_rows_alone_newest_first_in_each_cell(
    client, cast, account
):
    """An account owner's board is read by account (a GROUP BY for the counts, a
    ranking for the first cards), a manager's cell by cell: both show each cell's
    newest cards and its exact count, and the owner nobody else's."""
    held = _ctas_in(account, cast.cse, "in_progress", board.CELL + 2)
    waiting = _ctas_in(account, None, "open", 2)
    (managers,) = _ctas_in(account, cast.manager, "in_progress", 1)  # no CSE of the team
    elsewhere = AccountFactory()
    hidden = _ctas_in(elsewhere, cast.cse, "in_progress", 3)
    for viewer, seen in ((cast.account_owner, set()), (cast.manager, set(hidden))):
        _as(client, viewer)
        html = _page(client, lanes="cse", kind="ctas")
        lanes = re.findall(r'data-testid="lane" data-lane="([^"]+)"', html)
        assert lanes[0] == "none" and {str(cast.cse.pk), str(cast.manager.pk)} <= set(lanes)
        busy = _cell(html, f"cell-in_progress-{cast.cse.pk}")
        theirs = Cta.objects.filter(pk__in=[c.pk for c in [*held, *seen]])
        newest = theirs.order_by("-updated_at", "-id")[: board.CELL]
        assert _cards(busy) == [f"cta-{c.pk}" for c in newest]
        more = len(held) + len(seen) - board.CELL
        assert f">{more} more<" in busy
        assert set(_cards(_cell(html, "cell-open-none"))) == {f"cta-{c.pk}" for c in waiting}
        assert _cards(_cell(html, f"cell-in_progress-{cast.manager.pk}")) == [f"cta-{managers.pk}"]
        if not seen:
            assert not {f"cta-{c.pk}" for c in hidden} & set(_cards(html))
