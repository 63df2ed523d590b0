"""Escalations over the API: raise one (a retried POST with the same
Idempotency-Key returns the first), read them with their verdicts, move them."""

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Header, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import ERROR_RESPONSES, Body, ErrorOut, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.escalations import rules, services
from rhythm.escalations.choices import (
    EscalationKind,
    EscalationRisk,
    EscalationState,
    VerdictOutcome,
)
from rhythm.escalations.filters import EscalationFilter
from rhythm.escalations.models import Escalation

router = Router(tags=["escalations"])


class EscalationIn(Body):
    """The rules (what each kind needs, valid links) are the service's, which names
    every broken one in one 422; the schema keeps to types and sizes."""

    case: Id | None = Field(None, description="The escalation CS Help case it comes from.")
    account: Id | None = Field(None, description="The account, when not raised from a case.")
    kind: EscalationKind
    ticket_reference: Text = Field(
        "", max_length=rules.TICKET_REFERENCE_MAX_LENGTH, description="Support: required."
    )
    ticket_url: Text = Field("", max_length=rules.URL_MAX_LENGTH, description="Support: required.")
    bug_url: Text = Field("", max_length=rules.URL_MAX_LENGTH)
    feature_request_url: Text = Field("", max_length=rules.URL_MAX_LENGTH)
    risk: EscalationRisk | None = Field(None, description="Account: required.")
    impact: Text = Field("", max_length=rules.IMPACT_MAX_LENGTH, description="Required.")


class VerdictReasonOut(Schema):
    code: str
    met: bool
    text: str


class EscalationVerdictOut(Schema):
    qualifies: bool
    summary: str
    renewal_weighed: bool = Field(
        description="The renewal made up for one threshold narrowly missed."
    )
    reasons: list[VerdictReasonOut]
    inputs: dict[str, Any] = Field(description="The account's figures on the day.")
    thresholds: dict[str, Any] = Field(description="The thresholds in force on the day.")


class EscalationTransitionOut(Schema):
    from_state: str
    to_state: EscalationState
    actor: int | None = Field(alias="actor_id")
    at: datetime
    reason: str
    justification: str


class EscalationOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    case: int | None = Field(alias="case_id")
    kind: EscalationKind
    state: EscalationState
    segment: int = Field(alias="segment_id")
    region: str
    ticket_reference: str
    ticket_url: str
    bug_url: str
    feature_request_url: str
    risk: str
    impact: str
    verdict: VerdictOutcome
    verdict_detail: EscalationVerdictOut
    raised_by: int = Field(alias="raised_by_id")
    decided_by: int | None = Field(alias="decided_by_id")
    decided_at: datetime | None
    decision_reason: str
    justification: str
    created_at: datetime
    state_changed_at: datetime
    transitions: list[EscalationTransitionOut]

    @staticmethod
    def resolve_verdict_detail(obj: Escalation) -> dict[str, Any]:
        detail = obj.verdict_detail
        return {**detail["verdict"], "inputs": detail["inputs"], "thresholds": detail["thresholds"]}

    @staticmethod
    def resolve_transitions(obj: Escalation) -> list:
        return list(obj.transitions.all())


def _escalations(request: AuthedRequest):
    return Escalation.objects.visible_to(request.user).prefetch_related("transitions")


@router.get("/escalations", response=list[EscalationOut])
@paginate(Pagination)
def list_escalations(request: AuthedRequest, filters: Query[EscalationFilter]):
    """Escalations on the accounts you may see, newest first; filter by account, state,
    kind, segment, region and verdict."""
    require_perm(request, "escalations.view_escalation")
    return filters.filter(_escalations(request))


@router.get("/escalations/{escalation_id}", response={200: EscalationOut, **ERROR_RESPONSES})
def get_escalation(request: AuthedRequest, escalation_id: int):
    require_perm(request, "escalations.view_escalation")
    return get_object_or_404(_escalations(request), pk=escalation_id)


@router.post("/escalations", response={200: EscalationOut, 201: EscalationOut, **ERROR_RESPONSES})
def raise_escalation(
    request: AuthedRequest,
    payload: EscalationIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """Raise a support or account escalation from an escalation case or on an account;
    it gets its verdict (with each reason and figure) at once and waits for a CSE
    manager. The same `Idempotency-Key` returns the first escalation (200)."""
    raised = services.raise_escalation(
        request.user, payload.dict(), idempotency_key=idempotency_key
    )
    if not raised.created:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201 if raised.created else 200, _escalations(request).get(pk=raised.escalation.pk)
    )


class EscalationTransitionIn(Body):
    to: EscalationState
    reason: Text = Field("", max_length=rules.REASON_MAX_LENGTH)
    justification: Text = Field(
        "",
        max_length=rules.REASON_MAX_LENGTH,
        description="Approving what the verdict says does not qualify: why.",
    )
    expected_state: EscalationState | None = Field(
        None, description="The state you saw; if it has moved since, you get 409."
    )


class EscalationConflictOut(ErrorOut):
    current_state: EscalationState


@router.post(
    "/escalations/{escalation_id}/transitions",
    response={
        200: EscalationOut,
        409: EscalationConflictOut,
        **{k: v for k, v in ERROR_RESPONSES.items() if k != 409},
    },
)
def transition(request: AuthedRequest, escalation_id: int, payload: EscalationTransitionIn):
    """Approve or decline (a CSE manager, with a reason; against the verdict with a
    justification), start, resolve (with how) or close. 403 when it is not your
    move, 409 (with `current_state`) when the escalation is elsewhere, 422 naming
    what is missing."""
    require_perm(request, "escalations.change_escalation")
    escalation = get_object_or_404(_escalations(request), pk=escalation_id)
    services.transition(
        escalation,
        request.user,
        services.MoveInput(
            to=payload.to,
            reason=payload.reason,
            justification=payload.justification,
            expected_state=payload.expected_state or "",
        ),
    )
    return _escalations(request).get(pk=escalation.pk)
