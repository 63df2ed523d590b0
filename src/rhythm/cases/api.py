"""CS Help cases over the API. A retried POST with the same Idempotency-Key
returns the first case and creates nothing."""

from datetime import datetime
from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Header, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.cases import services
from rhythm.cases.choices import CaseKind, CaseStatus, Priority
from rhythm.cases.models import Case
from rhythm.cases.rules import CHALLENGES_MAX_LENGTH, DUPLICATE_REASON_MAX_LENGTH
from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text
from rhythm.core.http import AuthedRequest

router = Router(tags=["cases"])


class CaseIn(Body):
    opportunity: Id
    kind: CaseKind = CaseKind.CSE_HELP
    offering: Id | None = Field(None, description="Required for a CSE help case.")
    contact: Id
    challenges: Text = Field(
        description=f"Challenges/Pain Points: at most {CHALLENGES_MAX_LENGTH} characters."
    )
    opt_out_outreach: bool = Field(False, description="Do not contact the customer automatically.")
    priority: Priority = Priority.MEDIUM
    duplicate_reason: Text = Field(
        "",
        max_length=DUPLICATE_REASON_MAX_LENGTH,
        description="Why open it anyway, when a case for the same offering is still open "
        "on the opportunity: without it such a case is refused (422 naming this field "
        "and linking the open case).",
    )


class CaseOut(Schema):
    id: int
    kind: CaseKind
    status: CaseStatus
    account: int = Field(alias="account_id")
    opportunity: int = Field(alias="opportunity_id")
    offering: int | None = Field(alias="offering_id")
    contact: int = Field(alias="contact_id")
    challenges: str
    opt_out_outreach: bool
    priority: Priority
    duplicate_reason: str
    opened_by: int = Field(alias="opened_by_id")
    cta: int | None = None
    created_at: datetime

    @staticmethod
    def resolve_cta(obj: Case) -> int | None:
        cta = getattr(obj, "cta", None)
        return cta.pk if cta else None


class CaseFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    opportunity: Annotated[Id | None, FilterLookup("opportunity_id")] = None
    status: CaseStatus | None = None
    kind: CaseKind | None = None


def _cases(request: AuthedRequest):

    return Case.objects.visible_to(request.user).select_related("cta")


@router.get("/cases", response=list[CaseOut])
@paginate(Pagination)
def list_cases(request: AuthedRequest, filters: Query[CaseFilter]):
    """Cases on the accounts you may see; filter by account, opportunity, status, kind."""
    return filters.filter(_cases(request))


@router.get("/cases/{case_id}", response={200: CaseOut, **ERROR_RESPONSES})
def get_case(request: AuthedRequest, case_id: int):
    return get_object_or_404(_cases(request), pk=case_id)


@router.post("/cases", response={200: CaseOut, 201: CaseOut, **ERROR_RESPONSES})
def open_case(
    request: AuthedRequest,
    payload: CaseIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """Open a CS Help case on an opportunity; a CSE-help case raises its CTA at once.

    Send an `Idempotency-Key` header to make retries safe: the same key returns
    the first case (200) instead of creating another (201), and a retry is never
    taken for a duplicate of the case it created. Another CSE-help case for an
    offering whose case is still open on the opportunity needs `duplicate_reason`."""
    opened = services.open_case(request.user, payload.dict(), idempotency_key=idempotency_key)
    if not opened.created:
        response["Idempotent-Replayed"] = "true"
    # The case the service returns carries its CTA: no need to read it back.
    return Status(201 if opened.created else 200, opened.case)
