"""Customer meetings over the API."""

from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime, Field

from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.meetings import services
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.models import Meeting

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    name: str
    kind: MeetingKind
    timeline_type: str
    status: MeetingStatus
    scheduled_at: datetime | None
    held_at: datetime | None
    cse: int = Field(alias="cse_id")
    participants: list[int]
    notes: str

    @staticmethod
    def resolve_participants(obj: Meeting) -> list[int]:
        return [user.pk for user in obj.participants.all()]


class MeetingFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    kind: MeetingKind | None = None


def _meetings(request: AuthedRequest):
    return Meeting.objects.visible_to(request.user).prefetch_related("participants")


@router.get("/meetings", response=list[MeetingOut])
@paginate(Pagination)
def list_meetings(request: AuthedRequest, filters: Query[MeetingFilter]):
    require_perm(request, "meetings.view_meeting")
    return filters.filter(_meetings(request))


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERROR_RESPONSES})
def get_meeting(request: AuthedRequest, meeting_id: int):
    require_perm(request, "meetings.view_meeting")
    return get_object_or_404(_meetings(request), pk=meeting_id)


class HeldIn(Body):
    notes: Text = Field("", max_length=20_000)


@router.post("/meetings/{meeting_id}/held", response={200: MeetingOut, **ERROR_RESPONSES})
def log_held(request: AuthedRequest, meeting_id: int, payload: HeldIn):
    """Log the call as held: a "CSE Engagement" entry on the account timeline."""
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    require_perm(request, "meetings.add_meeting")
    return services.log_held(meeting, actor=request.user, notes=payload.notes)


class ScheduleIn(Body):
    scheduled_at: AwareDatetime | None = Field(
        None, description="When the call takes place (ISO 8601 with an offset)."
    )


@router.post("/meetings/{meeting_id}/schedule", response={200: MeetingOut, **ERROR_RESPONSES})
def schedule(request: AuthedRequest, meeting_id: int, payload: ScheduleIn):
    """Set or move the time of a call that has not been held yet."""
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    require_perm(request, "meetings.add_meeting")
    return services.schedule(meeting, actor=request.user, scheduled_at=payload.scheduled_at)
