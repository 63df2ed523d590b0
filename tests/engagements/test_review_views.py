"""The review workflow on a request's page, through the HTTP client: each party's
moves, their refusals beside their fields, completing with the deliverables' outcomes."""

from __future__ import annotations

import re
from decimal import Decimal

from django.urls import reverse

from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import Transition
from tests.engagements.helpers import move as _move
from tests.engagements.helpers import move_errors as _move_errors
from tests.engagements.helpers import signed_in as _as

# --- The review workflow on the request page --------------------------------------


def _detail(client, request_) -> str:
    return client.get(reverse("engagements:detail", args=[request_.pk])).content.decode()


def _all_achieved(request_) -> dict[str, str]:
    """The complete form's answers when every deliverable was achieved on time."""
    fields = {}
    for index, _ in enumerate(request_.deliverables):
        fields[f"deliverable-{index}-achieved"] = "yes"
        fields[f"deliverable-{index}-on_time"] = "yes"
    fields["doc_none_reason"] = "The existing runbook already covers it."
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
    assert 'data-testid="request-status">Closed<' in html
    assert 'data-testid="request-cta-status">Closed<' in html
    assert html.count('data-testid="transition"') == 6  # every transition
    assert "Clarification: " in html  # time in each state


def test_the_csm_answers_with_the_question_in_view(client, cast, request_):
    _move(request_, cast.manager, "clarification", reason="Which teams go first?")
    _as(client, cast.csm)
    html = _detail(client, request_)
    found = re.search(r'data-testid="open-question">(.*?)</blockquote>', html, re.S)
    assert found and "Which teams go first?" in found.group(1)
    assert str(cast.manager) in found.group(1)


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
    # The doc it updated is asked beside the deliverables: a link, or why none.
    assert "Link the doc or guideline this engagement updated" in _move_errors(refused, "doc-url")
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
    assert "No doc updated: The existing runbook already covers it." in page


def test_unanswered_deliverables_are_said_once_beside_their_questions(
    client, cast, request_, covering_cse
):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, covering_cse)
    page = _transition(client, request_, to="complete").content.decode()
    text = request_.deliverables[0]
    assert page.count(f"Say whether “{text}” was achieved.") == 1
    assert 'data-field="deliverables.0.achieved"' in page


def test_a_started_request_offers_each_person_only_the_moves_they_may_make(
    client, cast, request_, covering_cse
):
    """The page's forms are Workflow.moves_for the viewer, as the board's offers are:
    at Started only the assigned CSE may mark it complete; the manager who qualified
    it, the requesting CSM and another CSE are offered nothing."""
    from rhythm.engagements import rules, services

    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    request_.refresh_from_db()
    for who in (cast.manager, cast.csm, cast.cse, covering_cse):
        _as(client, who)
        offered = set(re.findall(r'data-move="(\w+)"', _detail(client, request_)))
        allowed = {
            move.action
            for _, move in rules.WORKFLOW.moves_for(
                RequestState.STARTED, services.parties(who, request_)
            )
        }
        assert offered == allowed, who
    assert allowed == {"complete"}
