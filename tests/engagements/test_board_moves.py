"""Drag and drop on the board through the HTTP client: the same services as the
buttons, answered with the API's status codes (403 not your move, 409 not a move
from there, 422 a move that needs what only its page asks, 404 a card one may not
see), and a refusal lists the moves the viewer may make from where the card is."""

from __future__ import annotations

from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import Transition
from rhythm.people.choices import Role
from tests.engagements.helpers import move as _move
from tests.engagements.helpers import signed_in as _as
from tests.factories import UserFactory

MOVE = reverse("engagements:board-move")


def _drop(client, card: str, column: str, seen: str = ""):
    data = {"card": card, "column": column}
    if seen:
        data["from"] = seen
    return client.post(MOVE, data)


def _offered(response) -> list[tuple[str, str, str]]:
    return [(m["to"], m["label"], m["url"]) for m in response.json()["moves"]]


def test_a_move_from_nowhere_is_409_and_offers_the_managers_own_moves(client, cast, request_):
    _as(client, cast.manager)
    refused = _drop(client, f"request-{request_.pk}", "complete", seen="review")
    assert refused.status_code == 409
    assert refused.json()["ok"] is False
    assert refused.json()["message"] == "A request in Review cannot move to Complete."
    page = f"/engagements/{request_.pk}/"
    # The manager's moves from Review, each on the page that asks what it needs; the
    # requesting CSM's withdrawal is not the manager's to make, so it is not offered.
    assert _offered(refused) == [
        ("clarification", "Ask the CSM", f"{page}#move-ask"),
        ("rejected", "Reject", f"{page}#move-reject"),
        ("started", "Qualify and assign", f"{page}#move-qualify"),
    ]
    request_.refresh_from_db()
    assert request_.state == RequestState.REVIEW
    assert Transition.objects.filter(request=request_).count() == 1


def test_someone_elses_move_is_403_and_offers_what_is_left_to_them(client, cast, request_):
    _as(client, cast.csm)
    # Qualifying is the manager's: the CSM who filed it may not, whatever it needs.
    refused = _drop(client, f"request-{request_.pk}", "started")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only a CSE manager may qualify this request."
    assert _offered(refused) == [
        ("closed", "Withdraw", f"/engagements/{request_.pk}/#move-withdraw"),
    ]
    _as(client, cast.cse)  # neither requester nor manager nor assigned: no move at all
    nobody = _drop(client, f"request-{request_.pk}", "clarification")
    assert nobody.status_code == 403 and nobody.json()["moves"] == []


def test_a_move_that_needs_what_a_drag_cannot_give_is_422_and_points_to_its_form(
    client, cast, request_, covering_cse
):
    card, page = f"request-{request_.pk}", f"/engagements/{request_.pk}/"
    _as(client, cast.csm)
    withdrawn = _drop(client, card, "closed")
    assert withdrawn.status_code == 422
    assert withdrawn.json()["message"] == (
        "Say why you withdraw the request. Do it on the request page."
    )
    assert withdrawn.json()["url"] == f"{page}#move-withdraw"
    _as(client, cast.manager)
    qualify = _drop(client, card, "started")
    assert qualify.status_code == 422
    assert qualify.json()["message"] == "Qualify it on the request page: choose the CSE there."
    assert qualify.json()["url"] == f"{page}#move-qualify"
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _as(client, covering_cse)
    completing = _drop(client, card, "complete")
    assert completing.status_code == 422
    assert completing.json()["message"] == (
        "Mark it complete on the request page: say there which deliverables were achieved."
    )
    assert completing.json()["url"] == f"{page}#move-complete"
    request_.refresh_from_db()
    assert request_.state == RequestState.STARTED


def test_a_move_the_rules_allow_goes_through_the_same_service(client, cast, request_, covering_cse):
    card = f"request-{request_.pk}"
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    _move(request_, covering_cse, "complete")
    _as(client, covering_cse)
    # Closing needs nothing more: offered on the board itself, and made by a drop.
    offered = _drop(client, card, "rejected")
    assert offered.status_code == 409
    assert _offered(offered) == [("closed", "Close", "")]
    closed = _drop(client, card, "closed", seen="complete")
    assert closed.status_code == 200
    assert closed.json() == {"ok": True, "message": "Moved to Closed.", "url": ""}
    request_.refresh_from_db()
    assert request_.state == RequestState.CLOSED
    assert Cta.objects.get(request=request_).status == CtaStatus.CLOSED
    moves = Transition.objects.filter(request=request_).values_list("to_state", "actor")
    assert list(moves)[-2:] == [("complete", covering_cse.pk), ("closed", covering_cse.pk)]
    # Closed is the end: nothing to offer anybody.
    done = _drop(client, card, "review")
    assert done.status_code == 409 and done.json()["moves"] == []


def test_a_card_that_moved_meanwhile_is_409_and_offers_the_moves_from_where_it_is(
    client, cast, request_
):
    _move(request_, cast.manager, "clarification", reason="Which teams?")
    _as(client, cast.manager)
    # The manager's board still shows it in Review, where rejecting it was a move.
    stale = _drop(client, f"request-{request_.pk}", "rejected", seen="review")
    assert stale.status_code == 409
    assert stale.json()["message"] == (
        "The request moved to Clarification meanwhile; the board shows it there now."
    )
    assert stale.json()["moves"] == []  # in Clarification the CSM answers or withdraws
    request_.refresh_from_db()
    assert request_.state == RequestState.CLARIFICATION


def test_a_card_one_may_not_see_is_404_and_nonsense_is_422_naming_the_field(client, cast, request_):
    stranger = UserFactory(username="other-ae", roles=[Role.ACCOUNT_OWNER])
    _as(client, stranger)
    hidden = _drop(client, f"request-{request_.pk}", "closed")
    assert hidden.status_code == 404
    assert _drop(client, "request-999999", "closed").status_code == 404
    _as(client, cast.manager)
    card = _drop(client, "ticket-1", "closed")
    assert card.status_code == 422 and card.json()["field"] == "card"
    column = _drop(client, f"request-{request_.pk}", "in_progress")
    assert column.status_code == 422 and column.json()["field"] == "column"
    assert column.json()["message"] == (
        "No column 'in_progress' on the Requests board; "
        "one of review, clarification, started, complete, rejected, closed."
    )


# --- CTAs ---------------------------------------------------------------------------


def test_a_cse_takes_an_open_cta_by_dragging_it_to_in_progress(
    client, cast, case_data, covering_cse
):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    _as(client, covering_cse)
    taken = _drop(client, f"cta-{cta.pk}", "in_progress", seen="open")
    assert taken.status_code == 200
    assert taken.json()["message"] == "Accepted: the CTA is yours."
    cta.refresh_from_db()
    assert cta.owner == covering_cse and cta.status == CtaStatus.IN_PROGRESS
    # Back to Open is no move at all; closing is its owner's, on its page (it asks
    # which tasks were done).
    back = _drop(client, f"cta-{cta.pk}", "open")
    assert back.status_code == 409
    assert back.json()["message"] == "A CTA in In progress cannot move to Open."
    assert _offered(back) == [("closed", "Close", f"/ctas/{cta.pk}/")]
    closing = _drop(client, f"cta-{cta.pk}", "closed")
    assert closing.status_code == 422
    assert "unticked tasks are skipped" in closing.json()["message"]
    assert closing.json()["url"] == f"/ctas/{cta.pk}/"
    cta.refresh_from_db()
    assert cta.status == CtaStatus.IN_PROGRESS
    # With every task done, a drop closes it.
    CtaTask.objects.filter(cta=cta).update(status="done")
    assert _drop(client, f"cta-{cta.pk}", "closed").status_code == 200
    cta.refresh_from_db()
    assert cta.status == CtaStatus.CLOSED


def test_cta_drops_answer_each_role_as_the_api_would(client, cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    card = f"cta-{cta.pk}"
    # A manager assigns a CTA to someone, which its page asks: 422, with the way there.
    _as(client, cast.manager)
    assign = _drop(client, card, "in_progress")
    assert assign.status_code == 422
    assert assign.json()["message"] == "Assign it to a CSE on its page."
    assert _offered(assign) == [
        ("in_progress", "Assign", f"/ctas/{cta.pk}/"),
        ("closed", "Close", f"/ctas/{cta.pk}/"),
    ]
    # A CSM does not work CTAs: 403.
    _as(client, cast.csm)
    refused = _drop(client, card, "in_progress")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Your role does not work CTAs."
    # Another CSE's CTA is its owner's to close, or a manager's: 403, and nothing of
    # it is theirs to do.
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    other = UserFactory(username="other-cse", roles=[Role.CSE])
    _as(client, other)
    theirs = _drop(client, card, "closed")
    assert theirs.status_code == 403
    assert theirs.json()["message"] == "Only its owner or a manager closes this CTA."
    assert theirs.json()["moves"] == []


def test_the_cta_of_a_request_moves_with_its_request_not_by_itself(
    client, cast, request_, covering_cse
):
    _move(request_, cast.manager, "started", cse=covering_cse.pk)
    tracking = Cta.objects.get(request=request_)
    _as(client, covering_cse)
    assert (
        f"cta-{tracking.pk}"
        not in client.get(reverse("engagements:board"), {"kind": "ctas"}).content.decode()
    )
    assert _drop(client, f"cta-{tracking.pk}", "closed").status_code == 404
    tracking.refresh_from_db()
    assert tracking.status == CtaStatus.IN_PROGRESS


def test_the_board_refuses_who_may_not_use_it(client, cast, request_):
    assert client.post(MOVE, {"card": f"request-{request_.pk}", "column": "closed"}).json() == {
        "ok": False,
        "message": "Sign in again to move cards.",
    }
    _as(client, cast.outsider)
    assert _drop(client, f"request-{request_.pk}", "closed").status_code == 403
