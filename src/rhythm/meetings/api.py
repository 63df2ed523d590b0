"""Customer meetings over the API."""

from datetime import UTC, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime, Field, HttpUrl

from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.core.rules import zone_named
from rhythm.customers.models import Contact
from rhythm.meetings import rules, services
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.models import ChecklistItem, Meeting

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
    organiser: int | None = Field(
        alias="organiser_id", description="The CSM who set the call up; they may set its time."
    )
    participants: list[int]
    notes: str
    time_zone: str = Field(description="The zone the time was given in.")
    duration_minutes: int
    cta: int | None = Field(alias="cta_id")
    request: int | None = Field(alias="request_id")
    ae: int | None = Field(alias="ae_id", description="The AE, an optional attendee.")
    contacts: list[int]
    video_url: str
    notes_url: str
    deck_url: str
    prepared_at: datetime | None
    summary: str
    outcome: str
    invitation_url: str = Field(description="The meeting's invitation (.ics), signed in.")

    @staticmethod
    def resolve_participants(obj: Meeting) -> list[int]:
        return [user.pk for user in obj.participants.all()]

    @staticmethod
    def resolve_contacts(obj: Meeting) -> list[int]:
        return [contact.pk for contact in obj.contacts.all()]

    @staticmethod
    def resolve_invitation_url(obj: Meeting) -> str:
        return reverse("meetings:invitation", args=[obj.pk])


class MeetingFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    kind: MeetingKind | None = None


def _meetings(request: AuthedRequest):
    return Meeting.objects.visible_to(request.user).prefetch_related("participants", "contacts")


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
    summary: Text = Field("", max_length=20_000, description="What was discussed.")
    outcome: Text = Field("", max_length=300, description="What came of it, in a line.")


@router.post("/meetings/{meeting_id}/held", response={200: MeetingOut, **ERROR_RESPONSES})
def log_held(request: AuthedRequest, meeting_id: int, payload: HeldIn):
    """Log the call as held: a "CSE Engagement" entry on the account timeline."""
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    require_perm(request, "meetings.add_meeting")
    return services.log_held(
        meeting,
        actor=request.user,
        notes=payload.notes,
        summary=payload.summary,
        outcome=payload.outcome,
    )


class ScheduleIn(Body):
    scheduled_at: AwareDatetime | None = Field(
        None, description="When the call takes place (ISO 8601 with an offset)."
    )
    time_zone: Text = Field("", max_length=64, description="The call's zone (IANA name).")


@router.post("/meetings/{meeting_id}/schedule", response={200: MeetingOut, **ERROR_RESPONSES})
def schedule(request: AuthedRequest, meeting_id: int, payload: ScheduleIn):
    """Set or move the time of a call that has not been held yet."""
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    require_perm(request, "meetings.view_meeting")
    return services.schedule(
        meeting, actor=request.user, scheduled_at=payload.scheduled_at, time_zone=payload.time_zone
    )


class BookIn(Body):
    """A customer call for a CTA or a complex engagement request: give one of them."""

    cta: Id | None = Field(None, description="The CTA the call is for.")
    request: Id | None = Field(None, description="The engagement request the call is for.")
    scheduled_at: datetime = Field(
        description="When it starts: with an offset, or on `time_zone`'s wall clock."
    )
    time_zone: Text = Field("UTC", max_length=64, description="The call's zone (IANA name).")
    duration_minutes: int = Field(rules.DEFAULT_DURATION, ge=15, le=rules.MAX_DURATION)
    contacts: list[Id] = Field(default_factory=list, max_length=50)
    invite_ae: bool = Field(True, description="Invite the account owner as optional attendee.")
    video_url: HttpUrl | None = Field(None, max_length=200)
    notes_url: HttpUrl | None = Field(None, max_length=200)
    deck_url: HttpUrl | None = Field(None, max_length=200)
    notes: Text = Field("", max_length=20_000)
    offering: Id | None = Field(
        None,
        description="The catalog offering the call is about, if not the engagement's own: "
        "another one is refused (422, rule another_offering), open a new request.",
    )
    new_topic: bool = Field(
        False, description="A topic the engagement is not about: refused (rule new_topic)."
    )


def _refuse(field_name: str, message: str, code: str) -> None:
    raise ValidationError({field_name: ValidationError(message, code=code)})


@router.post("/meetings", response={201: MeetingOut, **ERROR_RESPONSES})
def book(request: AuthedRequest, payload: BookIn):
    """Book the customer call of a CTA or a complex engagement request, with its
    preparation checklist; never in the past."""
    require_perm(request, "meetings.add_meeting")
    if (payload.cta is None) == (payload.request is None):
        _refuse("cta", "Give the CTA or the engagement request the call is for (one).", "one_of")
    source = "cta" if payload.cta is not None else "request"
    model = Meeting._meta.get_field(source).related_model
    thing = get_object_or_404(
        model.objects.visible_to(request.user).select_related("account"),  # type: ignore[union-attr]
        pk=payload.cta or payload.request,
    )
    account = thing.account
    contacts = list(Contact.objects.filter(pk__in=payload.contacts))
    missing = set(payload.contacts) - {c.pk for c in contacts}
    if missing:
        _refuse("contacts", f"No contact {', '.join(map(str, sorted(missing)))}.", "unknown")
    scheduled_at = payload.scheduled_at
    if scheduled_at.tzinfo is not None:
        scheduled_at = scheduled_at.astimezone(zone_named(payload.time_zone) or UTC)
    details = services.Details(
        scheduled_at=scheduled_at.replace(tzinfo=None),
        time_zone=payload.time_zone,
        duration_minutes=payload.duration_minutes,
        contacts=contacts,
        ae=account.account_owner if payload.invite_ae else None,
        video_url=str(payload.video_url or ""),
        notes_url=str(payload.notes_url or ""),
        deck_url=str(payload.deck_url or ""),
        notes=payload.notes,
        new_topic=payload.new_topic,
        offering_id=payload.offering,
    )
    if source == "cta":
        meeting = services.book_for_cta(thing, actor=request.user, details=details)
    else:
        meeting = services.book_for_request(thing, actor=request.user, details=details)
    return 201, meeting


class ChecklistItemOut(Schema):
    id: int
    position: int
    title: str
    due_at: datetime | None
    done: bool
    done_at: datetime | None
    done_by: int | None = Field(alias="done_by_id")
    account_facts: dict[str, Any] | None = Field(
        description="The account's own fields, for the research item (else null)."
    )

    @staticmethod
    def resolve_account_facts(obj: ChecklistItem) -> dict[str, Any] | None:
        if not obj.shows_account_facts:
            return None
        account = obj.meeting.account
        return {
            "licenses_purchased": account.licenses_purchased,
            "licenses_used": account.licenses_used,
            "employees": account.employees,
            "industry": account.industry,
            "renewal_date": account.renewal_date,
            "arr": account.arr,
        }


def _checklist(request: AuthedRequest, meeting_id: int):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=meeting_id)
    return ChecklistItem.objects.filter(meeting=meeting).select_related("meeting__account")


@router.get(
    "/meetings/{meeting_id}/checklist", response={200: list[ChecklistItemOut], **ERROR_RESPONSES}
)
def checklist(request: AuthedRequest, meeting_id: int):
    """The meeting's preparation checklist, each item with when it is due."""
    require_perm(request, "meetings.view_meeting")
    return list(_checklist(request, meeting_id))


class TickIn(Body):
    done: bool


@router.post(
    "/meetings/{meeting_id}/checklist/{item_id}",
    response={200: ChecklistItemOut, **ERROR_RESPONSES},
)
def tick(request: AuthedRequest, meeting_id: int, item_id: int, payload: TickIn):
    """Tick an item done (or not); the last one ticked makes the call prepared."""
    require_perm(request, "meetings.view_meeting")
    item = get_object_or_404(_checklist(request, meeting_id), pk=item_id)
    require_perm(request, "meetings.add_meeting")
    return services.set_checklist_item(item, done=payload.done, actor=request.user)


class FeedOut(Schema):
    url: str = Field(description="Your calls as an iCal feed: no sign-in, keep it private.")


def _feed_out(request: AuthedRequest, token: str) -> FeedOut:
    return FeedOut(url=request.build_absolute_uri(reverse("meetings:feed", args=[token])))


@router.get("/calendar-feed", response=FeedOut)
def calendar_feed(request: AuthedRequest):
    """The address of your iCal feed of customer calls."""
    require_perm(request, "meetings.view_meeting")
    return _feed_out(request, services.feed_token(request.user))


@router.post("/calendar-feed/reset", response=FeedOut)
def reset_calendar_feed(request: AuthedRequest):
    """A new address for your feed; the old one stops working."""
    require_perm(request, "meetings.view_meeting")
    return _feed_out(request, services.reset_feed(request.user))
