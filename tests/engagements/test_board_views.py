"""The board and the capacity page through the HTTP client: columns paged by a
cursor, filters, moves by the same services as the buttons, constant queries."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.engagements import board, services
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Transition
from rhythm.people.choices import Role
from tests.engagements.helpers import HTMX, STAKEHOLDER
from tests.engagements.helpers import move as _move
from tests.engagements.helpers import service_data as _service_data
from tests.engagements.helpers import signed_in as _as
from tests.engagements_fixtures import TARGET_START
from tests.factories import AccountFactory, ObjectiveFactory, SuccessPlanFactory, UserFactory

# --- The board -------------------------------------------------------------------


def _requests_in(account, objective, csm, state: str, count: int) -> None:
    """Rows straight into the table: the board reads them, and hundreds are needed."""
    now = timezone.now()
    EngagementRequest.objects.bulk_create(
        EngagementRequest(
            title=f"Request {state} {i}",
            account=account,
            objective=objective,
            effort_kind="one_off",
            target_start_date=TARGET_START,
            outcome="x",
            metrics=["m"],
            deliverables=["d"],
            state=state,
            requested_by=csm,
            created_at=now - timedelta(minutes=i),
            updated_at=now - timedelta(minutes=i),
        )
        for i in range(count)
    )


def _cards(html: str) -> list[str]:
    return re.findall(r'data-card="([a-z]+-\d+)"', html)


def _next(client, html: str):
    """Follow a column's "Load more" button, as HTMX does."""
    (url,) = re.findall(r'hx-get="([^"]+)" hx-swap="outerHTML" data-testid="load-more"', html)
    return client.get(unescape(url), headers=HTMX).content.decode()


def test_a_column_pages_fifty_cards_at_a_time(client, cast, account, objective, case_data):
    _requests_in(account, objective, cast.csm, "review", 110)
    cases.open_case(cast.account_owner, case_data)  # an open CTA: a card of "New" too
    _as(client, cast.cse)
    url = reverse("engagements:board-column", args=["new"])
    first = client.get(url, headers=HTMX).content.decode()
    assert "111 cards" in first
    assert len(_cards(first)) == 50 and _cards(first)[0].startswith("cta-")  # newest first
    second = _next(client, first)
    third = _next(client, second)
    assert len(_cards(second)) == 50 and len(_cards(third)) == 11
    assert "Load more" not in third and "cards" not in third
    every = _cards(first) + _cards(second) + _cards(third)
    assert len(set(every)) == 111
    # A cursor that is not one gives the first page; an unknown column is not found.
    assert _cards(client.get(url, {"after": "x~1~2"}, headers=HTMX).content.decode()) == _cards(
        first
    )
    missing = reverse("engagements:board-column", args=["nowhere"])
    assert client.get(missing, headers=HTMX).status_code == 404
    empty = reverse("engagements:board-column", args=["complete"])
    assert "Nothing here." in client.get(empty, headers=HTMX).content.decode()


def test_deep_pages_of_a_column_cost_what_the_first_does(
    client, cast, account, objective, case_data, django_assert_max_num_queries
):
    """Keyset paging: cards changed at the same instant, of both kinds, are each shown
    once, and page three reads no more rows or queries than page two."""
    _requests_in(account, objective, cast.csm, "review", 120)
    same = timezone.now() - timedelta(minutes=30)
    EngagementRequest.objects.update(updated_at=same)
    for _ in range(3):
        cases.open_case(cast.account_owner, {**case_data, "duplicate_reason": "Another team"})
    Cta.objects.update(updated_at=same)
    _as(client, cast.cse)
    html = client.get(reverse("engagements:board-column", args=["new"]), headers=HTMX)
    pages = [html.content.decode()]
    while "load-more" in pages[-1]:
        with django_assert_max_num_queries(8):
            pages.append(_next(client, pages[-1]))
    every = [card for page in pages for card in _cards(page)]
    assert len(every) == len(set(every)) == 123
    assert [len(_cards(page)) for page in pages] == [50, 50, 23]
    # Requests before CTAs at the same instant, newest id first within each kind.
    requests = [int(c.split("-")[1]) for c in every if c.startswith("request-")]
    assert requests == sorted(requests, reverse=True)
    assert all(c.startswith("cta-") for c in every[-3:])


def test_the_board_filters_its_columns(client, cast, account, objective):
    _requests_in(account, objective, cast.csm, "review", 2)
    elsewhere = AccountFactory(region="EMEA", csm=cast.csm)
    other_objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=elsewhere))
    _requests_in(elsewhere, other_objective, cast.csm, "review", 3)
    _as(client, cast.manager)
    page = client.get(reverse("engagements:board"), {"region": "EMEA"}).content.decode()
    assert 'hx-get="/engagements/board/columns/new?region=EMEA"' in page
    column = client.get(
        reverse("engagements:board-column", args=["new"]), {"region": "EMEA"}, headers=HTMX
    )
    assert len(_cards(column.content.decode())) == 3


def _column_queries(client, column: str) -> int:
    url = reverse("engagements:board-column", args=[column])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=HTMX)
    assert response.status_code == 200
    return len(queries)


def test_a_columns_queries_do_not_grow_with_its_cards(client, cast, account, objective):
    _requests_in(account, objective, cast.csm, "review", 10)
    _as(client, cast.cse)
    _column_queries(client, "new")
    few = _column_queries(client, "new")
    _requests_in(account, objective, cast.csm, "review", 290)
    assert _column_queries(client, "new") == few
    # Pinned: session, user, the user's and the groups' permissions, then one page of
    # requests, one of CTAs, and a count of each.
    assert few == 8


def test_a_refused_move_is_409_with_the_reason(client, cast, request_):
    _as(client, cast.manager)
    url = reverse("engagements:board-move")
    refused = client.post(url, {"card": f"request-{request_.pk}", "column": "complete"})
    assert refused.status_code == 409
    assert refused.json() == {
        "ok": False,
        "message": "A request in Review cannot move to Complete; "
        "it may move to Clarification, Rejected, Started, Closed.",
        "url": "",
    }
    qualify = client.post(url, {"card": f"request-{request_.pk}", "column": "in_progress"})
    assert qualify.status_code == 409
    assert "choose the CSE there" in qualify.json()["message"]
    assert qualify.json()["url"] == f"/engagements/{request_.pk}/"
    nonsense = client.post(url, {"card": "request-x", "column": "done"})
    assert nonsense.status_code == 409 and nonsense.json()["message"] == "Unknown card or column."
    request_.refresh_from_db()
    assert request_.state == RequestState.REVIEW
    assert Transition.objects.filter(request=request_).count() == 1


def test_a_move_the_rules_allow_goes_through_the_same_service(client, cast, request_, covering_cse):
    url = reverse("engagements:board-move")
    card = f"request-{request_.pk}"
    _as(client, cast.csm)
    # A withdrawal needs a reason, which a drag cannot give: refused, with the rule.
    withdrawn = client.post(url, {"card": card, "column": "closed"})
    assert withdrawn.status_code == 409
    assert withdrawn.json()["message"] == "Say why you withdraw the request."
    # ... and points to the page whose form asks for it.
    assert withdrawn.json()["url"] == f"/engagements/{request_.pk}/"
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    refused = client.post(url, {"card": card, "column": "complete"})
    assert refused.json()["message"] == "Only the assigned CSE may complete this request."
    _as(client, covering_cse)
    # Completing asks for each deliverable's outcome, which a drag cannot give either.
    completing = client.post(url, {"card": card, "column": "complete"})
    assert completing.status_code == 409
    assert completing.json() == {
        "ok": False,
        "message": "Mark it complete from the request page: "
        "say there which deliverables were achieved.",
        "url": f"/engagements/{request_.pk}/",
    }
    request_.refresh_from_db()
    assert request_.state == RequestState.STARTED
    _move(request_, covering_cse, "complete")
    closed = client.post(url, {"card": card, "column": "closed"})
    assert closed.status_code == 200
    request_.refresh_from_db()
    assert request_.state == RequestState.CLOSED
    assert Cta.objects.get(request=request_).status == CtaStatus.CLOSED
    moves = Transition.objects.filter(request=request_).values_list("to_state", "actor")
    assert list(moves)[-2:] == [("complete", covering_cse.pk), ("closed", covering_cse.pk)]


def test_dragging_a_cta_to_in_progress_accepts_it(client, cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    _as(client, covering_cse)
    response = client.post(
        reverse("engagements:board-move"), {"card": f"cta-{cta.pk}", "column": "in_progress"}
    )
    assert response.status_code == 200 and response.json()["ok"] is True
    cta.refresh_from_db()
    assert cta.owner == covering_cse
    refused = client.post(
        reverse("engagements:board-move"), {"card": f"cta-{cta.pk}", "column": "complete"}
    )
    assert refused.status_code == 409 and refused.json()["message"] == (
        "A CTA cannot move to Complete."
    )
    assert board.COLUMNS[3] == ("complete", "Complete")
    # Closing asks which open tasks were done, which a drag cannot say: its page does.
    closing = client.post(
        reverse("engagements:board-move"), {"card": f"cta-{cta.pk}", "column": "closed"}
    )
    assert closing.status_code == 409
    assert "unticked tasks are skipped" in closing.json()["message"]
    assert closing.json()["url"] == f"/ctas/{cta.pk}/"
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS


# --- Capacity ----------------------------------------------------------------------


def _load(cses, cast, account, objective, case_data) -> None:
    """One started engagement and one open CTA for each CSE."""
    # One objective and one offering for them all: each filing after the first says why.
    again = {"duplicate_reason": "Another phase of the same objective."}
    case_data = {**case_data, **again}
    for cse in cses:
        request = services.file_request(
            cast.csm, {**_service_data(account, objective), **again}, [STAKEHOLDER]
        )
        _move(
            request,
            cast.manager,
            "started",
            cse=cse.pk,
            confirm_over_capacity=True,
            override_reason="Covers for the team",
        )
        cta = cases.open_case(cast.account_owner, case_data).case.cta
        ctas.accept(cta, cse=cse, actor=cse, override_reason="Covers for the team")


def test_the_capacity_page_shows_every_cses_weeks(client, cast, covering_cse, request_):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, cast.manager)
    html = client.get(reverse("engagements:capacity")).content.decode()
    row = re.search(
        rf'<a class="rh-person" href="/team/{covering_cse.pk}/">.*?</tr>', html, re.S
    ).group(0)
    assert row.count("<td") == 11  # capacity, engagements, CTAs and eight weeks
    assert ">1</td>" in row  # one active engagement
    assert "table-success" in row


def test_the_capacity_page_says_when_there_is_no_cse(client, cast):
    cast.cse.groups.clear()
    _as(client, cast.manager)
    assert "No CSEs yet." in client.get(reverse("engagements:capacity")).content.decode()


def test_the_capacity_page_queries_do_not_grow_with_cses_and_engagements(
    client, cast, account, objective, case_data
):
    _load([cast.cse], cast, account, objective, case_data)
    _as(client, cast.manager)
    url = reverse("engagements:capacity")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more = UserFactory.create_batch(8, roles=[Role.CSE])
    _load(more, cast, account, objective, case_data)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert html.count("/team/") >= 9


def test_board_refusals_say_what_to_do_instead(client, cast, request_, case_data):
    from rhythm.cases import services as cases

    cta = cases.open_case(cast.account_owner, case_data).case.cta
    _as(client, cast.manager)
    url = reverse("engagements:board-move")
    to_work = client.post(url, {"card": f"cta-{cta.pk}", "column": "in_progress"}).json()
    assert to_work == {
        "ok": False,
        "message": "Assign it to a CSE on its page.",
        "url": f"/ctas/{cta.pk}/",
    }
    _move(request_, cast.csm, "closed", reason="No longer needed")
    done = client.post(url, {"card": f"request-{request_.pk}", "column": "new"}).json()
    assert done["message"] == "A request in Closed cannot move to Review; it moves no further."
