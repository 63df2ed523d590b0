"""Drag and drop on the board: a drop calls the same services as the buttons and is
answered with the API's status codes; a refusal lists the moves the viewer may make
from where the card is (core.rules.Workflow.moves_for), on the board or on the
card's page, whose form asks what the move needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.core.workflow import TransitionConflict
from rhythm.ctas import rules as cta_rules
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.engagements import rules, services
from rhythm.engagements.board import COLUMNS, CTAS, KINDS, REQUESTS, column_named
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role

S = RequestState


@dataclass(frozen=True)
class Offer:
    """A move the viewer may make from the card's state: made on the board (`url`
    empty) or on the card's page, whose form asks what the move needs."""

    to: str
    column: str
    label: str
    url: str = ""

    def as_json(self) -> dict[str, str]:
        return {"to": self.to, "column": self.column, "label": self.label, "url": self.url}


@dataclass(frozen=True)
class MoveResult:
    """A drop's answer, with the API's status codes: 200 moved; 404 a card one may not
    see; 403 not this person's move; 409 no such move from where the card is (or it
    moved meanwhile); 422 the move needs what a drag cannot give (`url`: the page
    that asks) or the drop names no card or column (`field`)."""

    status: int
    message: str
    url: str = ""
    offers: tuple[Offer, ...] = ()
    field: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": self.ok, "message": self.message, "url": self.url}
        if not self.ok:
            body["moves"] = [offer.as_json() for offer in self.offers]
        if self.field:
            body["field"] = self.field
        return body


def move(user, card: str, column: str, expected: str = "") -> MoveResult:
    """Drop `card` ("request-12", "cta-5") on the column of state `column`;
    `expected` is the state the viewer saw it in."""
    kind, _, raw_id = card.partition("-")
    if kind not in ("request", "cta") or not raw_id.isdigit():
        return MoveResult(
            422, f"No card {card!r}: a card is request-<id> or cta-<id>.", field="card"
        )
    board = REQUESTS if kind == "request" else CTAS
    if column_named(board, column) is None:
        states = ", ".join(c.state for c in COLUMNS[board])
        return MoveResult(
            422,
            f"No column {column!r} on the {KINDS[board]} board; one of {states}.",
            field="column",
        )
    if kind == "request":
        return _move_request(user, int(raw_id), column, expected)
    return _move_cta(user, int(raw_id), column, expected)


def _refused(exc: Exception, page: str, offers: tuple[Offer, ...]) -> MoveResult:
    if isinstance(exc, TransitionConflict):
        return MoveResult(409, exc.message, offers=offers)
    if isinstance(exc, PermissionDenied):
        return MoveResult(403, str(exc), offers=offers)
    assert isinstance(exc, ValidationError)
    return MoveResult(422, " ".join(exc.messages), url=page, offers=offers)


def _request_offers(request: EngagementRequest, parties: set) -> tuple[Offer, ...]:
    page = request.get_absolute_url()
    offers = []
    for to, step in rules.WORKFLOW.moves_for(request.state, parties):
        # Completing asks for each deliverable's outcome, which a drag cannot give.
        on_page = bool(step.needs) or to == S.COMPLETE
        offers.append(
            Offer(
                to,
                RequestState(to).label,
                step.label,
                f"{page}#move-{step.action}" if on_page else "",
            )
        )
    return tuple(offers)


def _move_request(user, pk: int, target: str, expected: str) -> MoveResult:
    request = (
        EngagementRequest.objects.visible_to(user)
        .active()
        .select_related("account")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        return MoveResult(404, "No such request, or not one you may see.")
    parties = services.parties(user, request)
    offers = _request_offers(request, parties)
    current = RequestState(request.state)
    if expected and expected != current:
        return MoveResult(
            409,
            f"The request moved to {current.label} meanwhile; the board shows it there now.",
            offers=offers,
        )
    verdict = rules.WORKFLOW.check(current, target, parties, {})
    page = request.get_absolute_url()
    if verdict.problem == "conflict":
        label = RequestState(target).label
        return MoveResult(
            409, f"A request in {current.label} cannot move to {label}.", offers=offers
        )
    if verdict.problem == "forbidden":
        return MoveResult(403, " ".join(verdict.reasons), offers=offers)
    step = rules.TRANSITIONS[(current, target)]
    if target == S.STARTED:
        message = "Qualify it on the request page: choose the CSE there."
    elif verdict.problem == "invalid":
        message = f"{' '.join(verdict.reasons)} Do it on the request page."
    elif target == S.COMPLETE:
        message = (
            "Mark it complete on the request page: say there which deliverables were achieved."
        )
    else:
        message = ""
    if message:
        return MoveResult(422, message, url=f"{page}#move-{step.action}", offers=offers)
    try:
        services.transition(
            request, user, services.TransitionInput(to=target, expected_state=current)
        )
    except (TransitionConflict, PermissionDenied, ValidationError) as exc:
        return _refused(exc, page, offers)
    return MoveResult(200, f"Moved to {RequestState(target).label}.")


def _cta_parties(cta: Cta, user) -> set:
    is_cse = user.groups.filter(name=Role.CSE.label).exists()
    return ctas.parties(cta, user, cse=user if is_cse else None)


def _cta_offers(cta: Cta, parties: set) -> tuple[Offer, ...]:
    page = cta.get_absolute_url()
    offers = []
    for to, _ in cta_rules.WORKFLOW.moves_for(cta.status, parties):
        if to == cta.status:
            continue  # a reassignment: the same column
        # Taking it oneself is a drop; assigning it to someone, or closing it (which
        # asks which tasks were done), is its page's.
        on_board = to == CtaStatus.IN_PROGRESS and cta_rules.Party.CSE in parties
        label = "Take it" if on_board else ("Assign" if to == CtaStatus.IN_PROGRESS else "Close")
        offers.append(Offer(to, CtaStatus(to).label, label, "" if on_board else page))
    return tuple(offers)


def _move_cta(user, pk: int, target: str, expected: str) -> MoveResult:
    cta = Cta.objects.visible_to(user).of_cases().filter(pk=pk).first()
    if cta is None:
        return MoveResult(404, "No such CTA, or not one you may see.")
    if not user.has_perm("ctas.change_cta"):
        return MoveResult(403, "Your role does not work CTAs.")
    parties = _cta_parties(cta, user)
    offers = _cta_offers(cta, parties)
    current = CtaStatus(cta.status)
    page = cta.get_absolute_url()
    if expected and expected != current:
        return MoveResult(
            409,
            f"The CTA moved to {current.label} meanwhile; the board shows it there now.",
            offers=offers,
        )
    if target == current:
        return MoveResult(409, f"The CTA is already {current.label}.", offers=offers)
    verdict = cta_rules.WORKFLOW.check(current, target, parties, {})
    if verdict.problem == "conflict":
        label = CtaStatus(target).label
        return MoveResult(409, f"A CTA in {current.label} cannot move to {label}.", offers=offers)
    # Whose move it is, the services say in their own words (403): a CSE may take any
    # open CTA, and who may close one is ctas.rules.close_refusal's.
    try:
        if target == CtaStatus.IN_PROGRESS:
            if cta_rules.Party.CSE not in parties:
                return MoveResult(422, "Assign it to a CSE on its page.", url=page, offers=offers)
            ctas.accept(cta, cse=user, actor=user)
            return MoveResult(200, "Accepted: the CTA is yours.")
        ctas.close(cta, actor=user)
    except (TransitionConflict, PermissionDenied, ValidationError) as exc:
        return _refused(exc, page, offers)
    return MoveResult(200, "Closed.")
