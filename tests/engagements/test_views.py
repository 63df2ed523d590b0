"""Engagement pages through the HTTP client: requests and their review, the board,
and the capacity page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
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
from rhythm.engagements.models import EngagementRequest, Stakeholder, Transition
from rhythm.engagements.services import TransitionInput
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.conftest import CAST
from tests.engagements_fixtures import TARGET_START
from tests.factories import (
    AccountFactory,
    ObjectiveFactory,
    SuccessPlanFactory,
    UserFactory,
)

VIEWERS = frozenset(CAST) - {"outsider"}
FILERS = frozenset({"csm", "admin"})  # engagements.add_engagementrequest
HTMX = {"HX-Request": "true"}


def _as(client, user):
    client.force_login(user)
    return client


def _field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def _move_errors(html: str, element_id: str) -> str:
    """The errors beside one field of a transition form (ids like reason-clarification)."""
    found = re.search(rf'<ul class="errorlist" id="{element_id}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


STAKEHOLDER = {"name": "Ana Costa", "role_title": "VP Eng", "responsibilities": "Sponsor"}


def _form(chosen, **changes) -> dict:
    data = {
        "objective": chosen.pk,
        "title": "CI for three teams",
        "effort_kind": "duration",
        "duration_weeks": "6",
        "hours_per_week": "5",
        "target_start_date": TARGET_START.isoformat(),
        "outcome": "Every team builds on GitLab CI.",
        "metrics": "Pipelines under 10 minutes\nNo Jenkins jobs left",
        "deliverables": "Reference pipeline",
        "stakeholders-TOTAL_FORMS": "3",
        "stakeholders-INITIAL_FORMS": "0",
        "stakeholders-MIN_NUM_FORMS": "0",
        "stakeholders-MAX_NUM_FORMS": "20",
        "stakeholders-0-name": STAKEHOLDER["name"],
        "stakeholders-0-role_title": STAKEHOLDER["role_title"],
        "stakeholders-0-responsibilities": STAKEHOLDER["responsibilities"],
    }
    data.update(changes)
    return data


def _service_data(account, objective) -> dict:
    return {
        "account": account.pk,
        "objective": objective.pk,
        "title": "CI for three teams",
        "effort_kind": "duration",
        "duration_weeks": 6,
        "hours_per_week": Decimal("5"),
        "target_start_date": TARGET_START,
        "outcome": "Every team builds on GitLab CI.",
        "metrics": ["Pipelines under 10 minutes"],
        "deliverables": ["Reference pipeline"],
    }


@pytest.fixture
def request_(cast, account, objective):
    return services.file_request(cast.csm, _service_data(account, objective), [STAKEHOLDER])


def _move(request, actor, to, **kw):
    return services.transition(request, actor, TransitionInput(to=to, **kw))


# --- Permissions, looped over the cast ----------------------------------------


def _reads(account, request_) -> list[tuple[str, dict, dict]]:
    return [
        (reverse("engagements:list"), {}, {}),
        (reverse("engagements:list"), {"account": account.pk}, HTMX),
        (reverse("engagements:detail", args=[request_.pk]), {}, {}),
        (reverse("engagements:board"), {}, {}),
        (reverse("engagements:board-column", args=["new"]), {}, HTMX),
        (reverse("engagements:capacity"), {}, {}),
    ]


def test_anonymous_is_sent_to_sign_in(client, account, objective, request_):
    for url, params, headers in _reads(account, request_):
        response = client.get(url, params, headers=headers)
        if headers:
            assert response["HX-Redirect"].startswith(f"{reverse('login')}?next="), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{reverse('login')}?next="), url
    for url, data in [
        (reverse("engagements:create", args=[account.pk]), _form(objective)),
        (reverse("engagements:transition", args=[request_.pk]), {"to": "clarification"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    moved = client.post(
        reverse("engagements:board-move"), {"card": f"request-{request_.pk}", "column": "closed"}
    )
    assert moved.status_code == 401 and moved.json()["ok"] is False
    assert EngagementRequest.objects.count() == 1
    assert Transition.objects.count() == 1


@pytest.mark.parametrize("who", CAST)
def test_who_reads_requests_the_board_and_capacity(client, cast, account, request_, who):
    _as(client, getattr(cast, who))
    for url, params, headers in _reads(account, request_):
        response = client.get(url, params, headers=headers)
        assert response.status_code == (200 if who in VIEWERS else 403), (who, url)
    moved = client.post(
        reverse("engagements:board-move"), {"card": f"request-{request_.pk}", "column": "complete"}
    )
    assert moved.status_code == (409 if who in VIEWERS else 403)
    assert moved.json()["ok"] is False


@pytest.mark.parametrize("who", CAST)
def test_who_files_a_request(client, cast, account, objective, who):
    _as(client, getattr(cast, who))
    url = reverse("engagements:create", args=[account.pk])
    allowed = who in FILERS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, _form(objective))
    if allowed:
        request = EngagementRequest.objects.get()
        assert response["Location"] == reverse("engagements:detail", args=[request.pk])
    else:
        assert response.status_code == 403
        assert not EngagementRequest.objects.exists()


@pytest.mark.parametrize("who", CAST)
def test_who_asks_for_clarification(client, cast, request_, who):
    _as(client, getattr(cast, who))
    response = client.post(
        reverse("engagements:transition", args=[request_.pk]),
        {"to": "clarification", "reason": "Which runners?", "expected_state": "review"},
    )
    request_.refresh_from_db()
    if who in {"manager", "admin"}:
        assert response.status_code == 302
        assert request_.state == RequestState.CLARIFICATION
    elif who == "outsider":
        assert response.status_code == 403
        assert request_.state == RequestState.REVIEW
    else:
        # Not their move: told why, on the request's page, and nothing changes.
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "Only a CSE manager may ask this request." in page
        assert request_.state == RequestState.REVIEW


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_requests_of_an_account_someone_does_not_own_or_manage_are_not_found(
    client, account, objective, request_, role
):
    stranger = UserFactory(roles=[role])
    _as(client, stranger)
    assert client.get(reverse("engagements:detail", args=[request_.pk])).status_code == 404
    assert (
        client.get(reverse("engagements:list"), {"account": account.pk}, headers=HTMX).status_code
        == 404
    )
    assert request_.title not in client.get(reverse("engagements:list")).content.decode()
    response = client.post(
        reverse("engagements:transition", args=[request_.pk]), {"to": "closed", "reason": "x"}
    )
    assert response.status_code == 404
    if role == Role.CSM:
        url = reverse("engagements:create", args=[account.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, _form(objective)).status_code == 404
    moved = client.post(
        reverse("engagements:board-move"), {"card": f"request-{request_.pk}", "column": "closed"}
    )
    assert moved.status_code == 409 and moved.json()["message"] == "Not found."
    assert EngagementRequest.objects.count() == 1
    request_.refresh_from_db()
    assert request_.state == RequestState.REVIEW


# --- Filing a request ------------------------------------------------------------


def test_filing_a_request(client, cast, account, objective):
    _as(client, cast.csm)
    form = client.get(reverse("engagements:create", args=[account.pk])).content.decode()
    assert objective.title in form and 'data-testid="no-objectives"' not in form
    response = client.post(reverse("engagements:create", args=[account.pk]), _form(objective))
    request = EngagementRequest.objects.get()
    assert request.metrics == ["Pipelines under 10 minutes", "No Jenkins jobs left"]
    assert request.hours_per_week == Decimal("5") and request.duration_weeks == 6
    assert [(s.name, s.role_title) for s in request.stakeholders.all()] == [("Ana Costa", "VP Eng")]
    page = client.get(response["Location"]).content.decode()
    assert "Request filed" in page and 'data-testid="request-state">Review<' in page
    # It shows on its account's list.
    listed = client.get(reverse("engagements:list"), {"account": account.pk}, headers=HTMX)
    assert "CI for three teams" in listed.content.decode()


def test_an_account_without_objectives_says_so(client, cast, account):
    _as(client, cast.csm)
    html = client.get(reverse("engagements:create", args=[account.pk])).content.decode()
    assert 'data-testid="no-objectives"' in html


def test_every_missing_part_is_named_beside_it_and_nothing_is_written(
    client, cast, account, objective
):
    _as(client, cast.csm)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(
            objective,
            objective="",
            effort_kind="duration",
            duration_weeks="",
            target_start_date="",
            outcome=" ",
            metrics="",
            deliverables="  \n ",
            **{
                "stakeholders-0-name": "",
                "stakeholders-0-role_title": "",
                "stakeholders-0-responsibilities": "",
            },
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Link the success-plan objective" in _field_errors(html, "objective")
    assert "how many weeks" in _field_errors(html, "duration_weeks")
    assert "target start date" in _field_errors(html, "target_start_date")
    assert "at least one metric" in _field_errors(html, "metrics")
    assert "at least one deliverable" in _field_errors(html, "deliverables")
    assert "Name at least one stakeholder" in html
    assert 'data-testid="stakeholder-errors"' in html
    assert "Describe the outcome" in _field_errors(html, "outcome")
    assert "cannot be blank" not in html  # every message says what to give
    assert 'value="CI for three teams"' in html  # what was typed is kept
    assert not EngagementRequest.objects.exists() and not Stakeholder.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_a_stakeholder_error_is_beside_the_row_it_is_about(client, cast, account, objective):
    """The second row filled in, the first left empty: the error is on the second."""
    _as(client, cast.csm)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(
            objective,
            **{
                "stakeholders-0-name": "",
                "stakeholders-0-role_title": "",
                "stakeholders-0-responsibilities": "",
                "stakeholders-1-name": "Bo Lind",
                "stakeholders-1-role_title": "",
                "stakeholders-1-responsibilities": "Runs the runners",
            },
        ),
    )
    html = response.content.decode()
    assert "Give their role or title." in _field_errors(html, "stakeholders-1-role_title")
    assert _field_errors(html, "stakeholders-0-role_title") == ""
    assert re.search(r'<input[^>]*id="id_stakeholders-1-role_title"[^>]*aria-invalid="true"', html)
    assert not EngagementRequest.objects.exists()


def test_an_objective_of_another_account_is_refused(client, cast, account, objective):
    foreign = ObjectiveFactory()
    _as(client, cast.csm)
    response = client.post(
        reverse("engagements:create", args=[account.pk]), _form(objective, objective=foreign.pk)
    )
    assert "valid choice" in _field_errors(response.content.decode(), "objective")
    assert not EngagementRequest.objects.exists()


def test_a_date_that_does_not_parse_is_named(client, cast, account, objective):
    _as(client, cast.csm)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(objective, target_start_date="next week"),
    )
    assert "valid date" in _field_errors(response.content.decode(), "target_start_date")
    assert not EngagementRequest.objects.exists()


def test_a_field_the_form_refuses_does_not_hide_the_rules_broken_elsewhere(
    client, cast, account, objective
):
    """One submission names every problem: the unparsable date and the missing parts."""
    _as(client, cast.csm)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(objective, target_start_date="next week", outcome="", metrics=""),
    )
    html = response.content.decode()
    assert "valid date" in _field_errors(html, "target_start_date")
    assert "Give the target start date" not in html  # the form's word for it is enough
    assert "Describe the outcome" in _field_errors(html, "outcome")
    assert "at least one metric" in _field_errors(html, "metrics")
    assert not EngagementRequest.objects.exists()


def test_a_start_date_years_away_is_refused(client, cast, account, objective):
    _as(client, cast.csm)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(objective, target_start_date="9999-12-31"),
    )
    assert "at most two years ahead" in _field_errors(
        response.content.decode(), "target_start_date"
    )
    assert not EngagementRequest.objects.exists()


def test_a_start_date_in_the_past_is_refused(client, cast, account, objective):
    _as(client, cast.csm)
    yesterday = date.today() - timedelta(days=1)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(objective, target_start_date=yesterday.isoformat()),
    )
    assert "cannot be in the past" in _field_errors(response.content.decode(), "target_start_date")
    assert not EngagementRequest.objects.exists()


# --- The review workflow on the request page --------------------------------------


def _detail(client, request_) -> str:
    return client.get(reverse("engagements:detail", args=[request_.pk])).content.decode()


def _transition(client, request_, **data):
    return client.post(reverse("engagements:transition", args=[request_.pk]), data)


def test_each_party_sees_only_their_moves(client, cast, request_, covering_cse):
    _as(client, cast.manager)
    html = _detail(client, request_)
    assert 'data-move="ask"' in html and 'data-move="qualify"' in html
    assert 'data-move="reject"' in html and 'data-move="withdraw"' not in html
    # The suggested CSE comes first, with the reasons for its rank.
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html)
    assert options[0][0] == str(covering_cse.pk)
    assert "(suggested)" in options[0][1] and "Covers AMER" in options[0][1]
    _as(client, cast.csm)
    html = _detail(client, request_)
    assert 'data-move="withdraw"' in html and 'data-move="qualify"' not in html
    _as(client, cast.cse)
    html = _detail(client, request_)
    assert 'data-testid="actions"' not in html
    assert "Waiting for a CSE manager" in html


def test_a_question_without_text_is_refused_beside_the_question(client, cast, request_):
    _as(client, cast.manager)
    response = _transition(client, request_, to="clarification", reason="  ")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Write the question for the CSM." in _move_errors(html, "reason-clarification")
    # Only the form that was sent shows the error.
    assert _move_errors(html, "reason-rejected") == ""
    assert Transition.objects.filter(request=request_).count() == 1
    request_.refresh_from_db()
    assert request_.state == RequestState.REVIEW


def test_a_rejection_without_a_reason_code_keeps_what_was_typed(client, cast, request_):
    _as(client, cast.manager)
    response = _transition(client, request_, to="rejected", reason="Out of scope for us")
    html = response.content.decode()
    assert "Choose a rejection reason." in _move_errors(html, "code-rejected")
    assert ">Out of scope for us</textarea>" in html
    request_.refresh_from_db()
    assert request_.state == RequestState.REVIEW


def test_an_empty_rejection_names_both_the_code_and_the_reason(client, cast, request_):
    _as(client, cast.manager)
    html = _transition(client, request_, to="rejected").content.decode()
    assert "Choose a rejection reason." in _move_errors(html, "code-rejected")
    assert "Say why the request is rejected." in _move_errors(html, "reason-rejected")


def test_over_capacity_asks_for_confirmation_beside_the_checkbox(
    client, cast, request_, covering_cse
):
    covering_cse.weekly_capacity_hours = Decimal("2")
    covering_cse.save()
    _as(client, cast.manager)
    response = _transition(client, request_, to="started", cse=covering_cse.pk)
    html = response.content.decode()
    assert "confirm to assign beyond capacity" in _move_errors(html, "confirm-started")
    assert f'<option value="{covering_cse.pk}" selected>' in html
    request_.refresh_from_db()
    assert request_.state == RequestState.REVIEW and request_.assigned_cse is None
    confirmed = _transition(
        client, request_, to="started", cse=covering_cse.pk, confirm_over_capacity="on"
    )
    assert confirmed.status_code == 302
    request_.refresh_from_db()
    assert request_.state == RequestState.STARTED


def test_a_stale_page_is_told_the_request_moved(client, cast, request_):
    _move(request_, cast.manager, "clarification", reason="Which runners?")
    _as(client, cast.manager)
    response = _transition(
        client, request_, to="rejected", reason="x", reason_code="other", expected_state="review"
    )
    page = client.get(response["Location"]).content.decode()
    assert "moved to Clarification meanwhile" in page
    request_.refresh_from_db()
    assert request_.state == RequestState.CLARIFICATION


def test_the_walk_from_review_to_closed_on_the_page(client, cast, request_, covering_cse):
    _as(client, cast.manager)
    _transition(client, request_, to="clarification", reason="Which runners?")
    _as(client, cast.csm)
    _transition(client, request_, to="review", reason="Self-managed Linux")
    _as(client, cast.manager)
    _transition(client, request_, to="started", cse=covering_cse.pk, expected_state="review")
    _as(client, covering_cse)
    assert 'data-move="complete"' in _detail(client, request_)
    _transition(client, request_, to="complete")
    _transition(client, request_, to="closed")
    request_.refresh_from_db()
    assert request_.state == RequestState.CLOSED
    cta = Cta.objects.get(request=request_)
    assert cta.status == CtaStatus.CLOSED
    html = _detail(client, request_)
    assert 'data-testid="request-state">Closed<' in html
    assert 'data-testid="request-cta-status">Closed<' in html
    assert html.count('<li class="list-group-item"><strong>') == 6  # every transition
    assert "Clarification: " in html  # time in each state


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
        cases.open_case(cast.account_owner, case_data)
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
    completed = client.post(url, {"card": card, "column": "complete"})
    assert completed.status_code == 200
    assert completed.json() == {"ok": True, "message": "Moved to Complete.", "url": ""}
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


# --- Capacity ----------------------------------------------------------------------


def _load(cses, cast, account, objective, case_data) -> None:
    """One started engagement and one open CTA for each CSE."""
    for cse in cses:
        request = services.file_request(cast.csm, _service_data(account, objective), [STAKEHOLDER])
        _move(
            request,
            cast.manager,
            "started",
            cse=cse.pk,
            confirm_over_capacity=True,
            override_reason="Covers for the team",
        )
        cta = cases.open_case(cast.account_owner, case_data).case.cta
        ctas.accept(cta, cse=cse, actor=cse)


def test_the_capacity_page_shows_every_cses_weeks(client, cast, covering_cse, request_):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, cast.manager)
    html = client.get(reverse("engagements:capacity")).content.decode()
    row = re.search(rf'<a href="/team/{covering_cse.pk}/">.*?</tr>', html, re.S).group(0)
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


# --- Every page, every role: never a server error ---------------------------------


@pytest.fixture
def everything(cast, account, objective, case_data, covering_cse):
    """One of each thing in each state the pages show."""
    from datetime import time as clock

    from rhythm.meetings.models import Meeting
    from rhythm.officehours import services as officehours
    from tests.factories import ContactFactory, OpportunityFactory

    open_cta = cases.open_case(cast.account_owner, case_data).case.cta
    taken = cases.open_case(cast.account_owner, {**case_data, "opt_out_outreach": True}).case.cta
    ctas.accept(taken, cse=covering_cse, actor=covering_cse)
    escalation = cases.open_case(
        cast.account_owner, {**case_data, "kind": "escalation", "offering": None}
    ).case
    requests = {}
    for state in ("review", "clarification", "rejected", "started", "complete", "closed"):
        request = services.file_request(cast.csm, _service_data(account, objective), [STAKEHOLDER])
        if state == "clarification":
            _move(request, cast.manager, "clarification", reason="Which runners?")
        if state == "rejected":
            _move(request, cast.manager, "rejected", reason="No", reason_code="out_of_scope")
        if state in ("started", "complete", "closed"):
            _move(request, cast.manager, "started", cse=covering_cse.pk)
        if state in ("complete", "closed"):
            _move(request, covering_cse, "complete")
        if state == "closed":
            _move(request, covering_cse, "closed")
        requests[state] = request
    session = officehours.save_session(
        cast.cse, {"weekday": 2, "start_time": clock(16, 0), "duration_minutes": 60}
    )
    questions = [
        officehours.ask(
            cast.csm, session=session, account_id=account.pk, topic=f"Topic {i}", context="c"
        )
        for i in range(3)
    ]
    officehours.answer(questions[1], actor=cast.cse, text="Answered")
    officehours.make_spot_engagement(questions[2], actor=cast.cse)
    empty_account = AccountFactory(account_owner=cast.account_owner, csm=cast.csm)
    ContactFactory(account=empty_account)
    empty_opportunity = OpportunityFactory(account=empty_account)
    return {
        "urls": [
            reverse("home"),
            reverse("customers:account-detail", args=[account.pk]),
            reverse("customers:account-detail", args=[empty_account.pk]),
            reverse("customers:opportunity-detail", args=[case_data["opportunity"]]),
            reverse("customers:opportunity-detail", args=[empty_opportunity.pk]),
            reverse("cases:list"),
            reverse("cases:detail", args=[escalation.pk]),
            reverse("cases:detail", args=[open_cta.case_id]),
            reverse("cases:create", args=[empty_opportunity.pk]),
            reverse("ctas:list"),
            reverse("ctas:detail", args=[open_cta.pk]),
            reverse("ctas:detail", args=[taken.pk]),
            *[
                reverse("ctas:detail", args=[c.pk])
                for c in Cta.objects.filter(request__isnull=False)
            ],
            reverse("engagements:list"),
            reverse("engagements:create", args=[account.pk]),
            reverse("engagements:create", args=[empty_account.pk]),
            *[reverse("engagements:detail", args=[r.pk]) for r in requests.values()],
            reverse("engagements:board"),
            *[reverse("engagements:board-column", args=[c]) for c, _ in board.COLUMNS],
            reverse("engagements:capacity"),
            reverse("officehours:list"),
            *[reverse("officehours:question", args=[q.pk]) for q in questions],
            reverse("meetings:detail", args=[Meeting.objects.get().pk]),
            reverse("timeline:account", args=[account.pk]),
            reverse("timeline:account", args=[empty_account.pk]),
            reverse("catalog:list"),
        ]
    }


@pytest.mark.parametrize("who", CAST)
def test_every_page_answers_every_role_without_a_server_error(client, cast, everything, who):
    _as(client, getattr(cast, who))
    for url in everything["urls"]:
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 403, 404), (who, url, response.status_code)
            if who != "outsider" and "/new/" not in url:
                assert response.status_code == 200, (who, url)


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


def test_the_csm_answers_with_the_question_in_view(client, cast, request_):
    _move(request_, cast.manager, "clarification", reason="Which teams go first?")
    _as(client, cast.csm)
    html = _detail(client, request_)
    found = re.search(r'data-testid="open-question">(.*?)</blockquote>', html, re.S)
    assert found and "Which teams go first?" in found.group(1)
    assert str(cast.manager) in found.group(1)
