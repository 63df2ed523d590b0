"""Engagement pages through the HTTP client: requests and their review (the board
and the capacity page are in test_board_views)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.core import registry
from rhythm.ctas import services as ctas
from rhythm.ctas.models import Cta
from rhythm.engagements import board, services
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Stakeholder, Transition
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.conftest import CAST
from tests.engagements.helpers import HTMX, STAKEHOLDER
from tests.engagements.helpers import field_errors as _field_errors
from tests.engagements.helpers import move as _move
from tests.engagements.helpers import request_form as _form
from tests.engagements.helpers import service_data as _service_data
from tests.engagements.helpers import signed_in as _as
from tests.factories import (
    AccountFactory,
    ObjectiveFactory,
    UserFactory,
)

VIEWERS = frozenset(CAST) - {"outsider"}
FILERS = frozenset({"csm", "admin"})  # engagements.add_engagementrequest


# --- Permissions, looped over the cast ----------------------------------------


def _reads(account, request_) -> list[tuple[str, dict, dict]]:
    return [
        (reverse("engagements:list"), {}, {}),
        (reverse("engagements:list"), {"account": account.pk}, HTMX),
        (reverse("engagements:detail", args=[request_.pk]), {}, {}),
        (reverse("engagements:board"), {}, {}),
        (reverse("engagements:board-column", args=["review"]), {}, HTMX),
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
    assert moved.status_code == 404
    assert moved.json()["message"] == "No such request, or not one you may see."
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
    assert "Request filed" in page and 'data-testid="request-status">Review<' in page
    # It shows on its account's list.
    listed = client.get(reverse("engagements:list"), {"account": account.pk}, headers=HTMX)
    assert "CI for three teams" in listed.content.decode()


def test_an_account_without_objectives_says_so_and_leads_to_its_success_plans(
    client, cast, account
):
    form = reverse("engagements:create", args=[account.pk])
    plans = reverse("customers:account-tab", args=[account.pk, "success-plans"])
    _as(client, cast.csm)
    html = client.get(form).content.decode()
    assert 'data-testid="no-objectives"' in html
    # There, and back with the objective chosen (tests/customers/test_success_plan_views.py).
    assert f'href="{plans}?next={form}" data-testid="add-objective-first"' in html
    assert 'data-keeps-form="#request-form"' in html  # what was typed comes round too
    _as(client, cast.admin)
    assert 'data-testid="add-objective-first"' in client.get(form).content.decode()


def test_an_objective_not_listed_can_be_added_from_the_form(client, cast, account, objective):
    form = reverse("engagements:create", args=[account.pk])
    _as(client, cast.csm)
    html = client.get(form).content.decode()
    plans = reverse("customers:account-tab", args=[account.pk, "success-plans"])
    assert f'href="{plans}?next={form}" data-testid="add-objective"' in html


def test_the_form_opens_with_the_objective_it_is_sent_back_with(client, cast, account, objective):
    other = ObjectiveFactory(success_plan=objective.success_plan, title="Adopt SAST")
    stranger = ObjectiveFactory(title="Elsewhere objective")
    form = reverse("engagements:create", args=[account.pk])
    _as(client, cast.csm)
    html = client.get(form, {"objective": other.pk}).content.decode()
    assert re.search(rf'<option value="{other.pk}" selected>', html)
    assert not re.search(rf'<option value="{objective.pk}" selected>', html)
    # An objective of another account is not one to choose: nothing is chosen.
    html = client.get(form, {"objective": stranger.pk}).content.decode()
    assert " selected>" not in html.split('name="objective"')[1].split("</select>")[0]
    assert str(stranger) not in html


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
    # Two days back: the page judges "past" by the CSM's own time zone, where
    # yesterday in UTC is still today for the hours UTC has passed midnight first.
    past = date.today() - timedelta(days=2)
    response = client.post(
        reverse("engagements:create", args=[account.pk]),
        _form(objective, target_start_date=past.isoformat()),
    )
    assert "cannot be in the past" in _field_errors(response.content.decode(), "target_start_date")
    assert not EngagementRequest.objects.exists()


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
            *[
                reverse("customers:account-tab", args=[a.pk, tab])
                for a in (account, empty_account)
                for tab in registry.account_tabs()
                if tab != "overview"
            ],
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
            *[
                reverse("engagements:board-column", args=[column.state]) + f"?kind={kind}"
                for kind, columns in board.COLUMNS.items()
                for column in columns
            ],
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
    assert (
        '<label class="form-label" for="id_duplicate_reason">Why file it anyway?</label>' in warning
    )
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
