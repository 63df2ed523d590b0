"""Follow-ups over the API: read them, preview one, send it (once)."""

from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.followups import rules, services
from rhythm.followups.choices import FollowUpStatus
from rhythm.followups.models import FollowUp

router = Router(tags=["follow-ups"])


class FollowUpOut(Schema):
    id: int
    meeting: int = Field(alias="meeting_id")
    account: int = Field(alias="account_id")
    cse: int = Field(alias="cse_id")
    status: FollowUpStatus
    opened_at: datetime
    target_at: datetime = Field(description="The aim: 2 business days on the CSE's calendar.")
    due_at: datetime = Field(description="The limit: 3 business days on the CSE's calendar.")
    summary: str
    action_items: str
    resources: str
    invitation: str
    sent_at: datetime | None
    on_time: bool | None = Field(description="Sent by its due time; null until sent.")


class FollowUpFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    cse: Annotated[Id | None, FilterLookup("cse_id")] = None
    status: FollowUpStatus | None = None


def _follow_ups(request: AuthedRequest):
    return FollowUp.objects.visible_to(request.user)


@router.get("/follow-ups", response=list[FollowUpOut])
@paginate(Pagination)
def list_follow_ups(request: AuthedRequest, filters: Query[FollowUpFilter]):
    require_perm(request, "followups.view_followup")
    return filters.filter(_follow_ups(request))


@router.get("/follow-ups/{follow_up_id}", response={200: FollowUpOut, **ERROR_RESPONSES})
def get_follow_up(request: AuthedRequest, follow_up_id: int):
    require_perm(request, "followups.view_followup")
    return get_object_or_404(_follow_ups(request), pk=follow_up_id)


class PartsIn(Body):
    """The handbook's four parts, each required (an empty one is a 422 naming it)."""

    summary: Text = Field("", max_length=rules.PART_LIMIT, description="Summary of key points.")
    action_items: Text = Field(
        "", max_length=rules.PART_LIMIT, description="Action items and next steps."
    )
    resources: Text = Field(
        "", max_length=rules.PART_LIMIT, description="Resources and documentation."
    )
    invitation: Text = Field(
        "", max_length=rules.PART_LIMIT, description="An invitation to ask more."
    )


class DraftOut(Schema):
    to: list[str]
    cc: list[str]
    subject: str
    body: str


@router.post("/follow-ups/{follow_up_id}/preview", response={200: DraftOut, **ERROR_RESPONSES})
def preview(request: AuthedRequest, follow_up_id: int, payload: PartsIn):
    """The email the parts make, as it would go; nothing is sent."""
    follow_up = get_object_or_404(_follow_ups(request), pk=follow_up_id)
    require_perm(request, "followups.change_followup")
    return services.preview(follow_up, payload.model_dump())


@router.post("/follow-ups/{follow_up_id}/send", response={200: FollowUpOut, **ERROR_RESPONSES})
def send(request: AuthedRequest, follow_up_id: int, payload: PartsIn):
    """Send the follow-up to the call's contacts with the AE in copy, once: a second
    send returns it as sent and sends nothing."""
    follow_up = get_object_or_404(_follow_ups(request), pk=follow_up_id)
    require_perm(request, "followups.change_followup")
    return services.send(follow_up, actor=request.user, parts=payload.model_dump())
