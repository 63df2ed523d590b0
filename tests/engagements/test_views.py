"""Engagement pages through the HTTP client: requests and their review (the board
and the capacity page are in test_board_views)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.engagements import board, services
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Stakeholder, Transition
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.conftest import CAST
from tests.engagements.helpers import HTMX, STAKEHOLDER
from tests.engagements.helpers import move as _move
from tests.engagements.helpers import service_data as _service_data
from tests.engagements.helpers import signed_in as _as
from tests.engagements_fixtures import TARGET_START
from tests.factories import (
    AccountFactory,
    ObjectiveFactory,
    UserFactory,
)

VIEWERS = frozenset(CAST) - {"outsider"}
FILERS = frozenset({"csm", "admin"})  # engagements.add_engagementrequest


def _field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def _move_errors(html: str, element_id: str) -> str:
    """The errors beside one field of a transition form (ids like reason-clarification)."""
    found = re.search(rf'<ul class="errorlist" id="{element_id}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


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
    assert moved.status_code == 404 and moved.json()["message"] == "Not found."
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


def _all_achieved(request_) -> dict[str, str]:
    """The complete form's answers when every deliverable was achieved on time."""
    fields = {}
    for index, _ in enumerate(request_.deliverables):
        fields[f"deliverable-{index}-achieved"] = "yes"
        fields[f"deliverable-{index}-on_time"] = "yes"
    return fields


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
    _transition(client, request_, to="complete", **_all_achieved(request_))
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


# --- Every page, every role: never a server error ---------------------------------


@pytest.fixture
def everything(cast, account, objective, case_data, covering_cse):
    """One of each thing in each state the pages show."""
    from datetime import time as clock

    from rhythm.meetings.models import Meeting
    from rhythm.officehours import services as officehours
    from tests.factories import ContactFactory, OpportunityFactory

    again = {"duplicate_reason": "Another phase of the same need."}
    open_cta = cases.open_case(cast.account_owner, case_data).case.cta
    taken = cases.open_case(
        cast.account_owner, {**case_data, **again, "opt_out_outreach": True}
    ).case.cta
    ctas.accept(taken, cse=covering_cse, actor=covering_cse)
    escalation = cases.open_case(
        cast.account_owner, {**case_data, "kind": "escalation", "offering": None}
    ).case
    requests = {}
    for state in ("review", "clarification", "rejected", "started", "complete", "closed"):
        request = services.file_request(
            cast.csm, {**_service_data(account, objective), **again}, [STAKEHOLDER]
        )
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


def test_the_csm_answers_with_the_question_in_view(client, cast, request_):
    _move(request_, cast.manager, "clarification", reason="Which teams go first?")
    _as(client, cast.csm)
    html = _detail(client, request_)
    found = re.search(r'data-testid="open-question">(.*?)</blockquote>', html, re.S)
    assert found and "Which teams go first?" in found.group(1)
    assert str(cast.manager) in found.group(1)


# --- Duplicates ---------------------------------------------------------------


def _form_token(html: str) -> str:
    (token,) = re.findall(r'<input type="hidden" name="form_token" value="([^"]+)">', html)
    return token


def _warning(html: str) -> str:
    found = re.search(
        r'<div class="alert alert-warning" role="alert" data-testid="duplicate-warning">'
        r"(.*?)</div>\s*</div>",
        html,
        re.S,
    )
    return found.group(1) if found else ""


def test_a_second_request_shows_the_warning_links_the_first_and_asks_why(
    client, cast, account, objective, request_
):
    _as(client, cast.csm)
    url = reverse("engagements:create", args=[account.pk])
    assert 'name="duplicate_reason"' not in client.get(url).content.decode()
    token = _form_token(client.get(url).content.decode())
    refused = client.post(url, _form(objective, form_token=token))
    assert refused.status_code == 200
    html = refused.content.decode()
    warning = _warning(html)
    assert (
        f"Request #{request_.pk} (CI for three teams) is still open on this objective (Review)."
        in warning
    )
    assert f'href="{request_.get_absolute_url()}"' in warning
    assert '<label for="id_duplicate_reason">Why file it anyway?</label>' in warning
    assert html.count("is still open on this objective") == 1  # said once
    assert EngagementRequest.objects.count() == 1
    # Sent again with a reason and the same token (the refusal did not spend it): filed.
    assert _form_token(html) == token
    filed = client.post(url, _form(objective, form_token=token, duplicate_reason="Phase two."))
    second = EngagementRequest.objects.latest("pk")
    assert filed["Location"] == reverse("engagements:detail", args=[second.pk])
    assert second.duplicate_reason == "Phase two."
    page = client.get(filed["Location"]).content.decode()
    assert 'data-testid="duplicate-reason"' in page and "Phase two." in page
    # Resent after a lost response: the request it filed, not a duplicate refusal.
    again = client.post(
        url, _form(objective, form_token=token, duplicate_reason="Phase two."), follow=True
    )
    assert again.redirect_chain == [(filed["Location"], 302)]
    assert EngagementRequest.objects.count() == 2


def test_the_request_warning_comes_with_the_other_errors(
    client, cast, account, objective, request_
):
    _as(client, cast.csm)
    url = reverse("engagements:create", args=[account.pk])
    html = client.post(url, _form(objective, outcome="")).content.decode()
    assert f'href="{request_.get_absolute_url()}"' in _warning(html)
    assert "Describe the outcome" in _field_errors(html, "outcome")
    assert EngagementRequest.objects.count() == 1


def test_the_complete_form_asks_each_deliverables_outcome_and_shows_it(
    client, cast, request_, covering_cse
):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, covering_cse)
    html = _detail(client, request_)
    for index, text in enumerate(request_.deliverables):
        assert f'name="deliverable-{index}-achieved"' in html
        assert f'name="deliverable-{index}-on_time"' in html
        assert text in html
    # Unanswered: refused, each error beside its question, what was ticked kept.
    refused = _transition(
        client, request_, to="complete", **{"deliverable-0-achieved": "yes"}
    ).content.decode()
    assert "was achieved within the agreed timeline" in _move_errors(refused, "d0-on_time")
    assert 'id="d0-achieved-yes" value="yes" checked' in refused
    request_.refresh_from_db()
    assert request_.state == RequestState.STARTED
    answers = _all_achieved(request_)
    answers["deliverable-0-on_time"] = "no"
    done = _transition(client, request_, to="complete", **answers)
    assert done.status_code == 302
    request_.refresh_from_db()
    assert request_.state == RequestState.COMPLETE
    page = _detail(client, request_)
    assert 'data-testid="deliverable-outcomes"' in page and "achieved, late" in page


def test_unanswered_deliverables_are_said_once_beside_their_questions(
    client, cast, request_, covering_cse
):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, covering_cse)
    page = _transition(client, request_, to="complete").content.decode()
    text = request_.deliverables[0]
    assert page.count(f"Say whether “{text}” was achieved.") == 1
    assert 'data-field="deliverables.0.achieved"' in page
