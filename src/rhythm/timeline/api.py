"""The account timeline over the API: one chronological list, and notes."""

from datetime import datetime
from enum import StrEnum

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core import registry
from rhythm.core.api import ERROR_RESPONSES, Body, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Account
from rhythm.timeline import services
from rhythm.timeline.models import TimelineEntry

router = Router(tags=["timeline"])

# The kinds the installed apps declare, as an enum for the OpenAPI document.
EntryKind = StrEnum("EntryKind", {code: code for code in registry.timeline_kinds()})  # type: ignore[misc]


class EntryOut(Schema):
    id: int
    kind: EntryKind
    occurred_at: datetime
    title: str
    body: str
    actor: int | None = Field(alias="actor_id")
    link: str


class NoteIn(Body):
    text: Text = Field(min_length=1, max_length=services.NOTE_MAX_LENGTH)


@router.get("/accounts/{account_id}/timeline", response=list[EntryOut])
@paginate(Pagination)
def account_timeline(request: AuthedRequest, account_id: int, kind: EntryKind | None = None):
    """Cases, CTAs, requests, review steps, meetings, questions and notes, newest first."""
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
    entries = TimelineEntry.objects.filter(account=account, archived_at__isnull=True)
    return entries.filter(kind=kind) if kind else entries


@router.post("/accounts/{account_id}/notes", response={201: EntryOut, **ERROR_RESPONSES})
def add_note(request: AuthedRequest, account_id: int, payload: NoteIn):
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
    require_perm(request, "timeline.add_timelineentry")
    return Status(201, services.add_note(account=account, author=request.user, text=payload.text))
