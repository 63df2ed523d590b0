"""Webinars over the API: events (plan, move, sign up), registrations (read,
cancel), environment requests (file, move) and their codes (demo architects, the DRI
and program managers only), redemptions, attendance, and the public iCal feed."""

from datetime import datetime, timedelta
from typing import Annotated

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_ratelimit.core import is_ratelimited
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import ERROR_RESPONSES, ApiError, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.webinars import services
from rhythm.webinars.choices import (
    Kind,
    Region,
    RegistrationStatus,
    RequestStatus,
    SignUpRole,
    WebinarStatus,
)
from rhythm.webinars.models import EnvironmentRequest, LabTemplate, Registration, Webinar

router = Router(tags=["webinars"])


class LabTemplateOut(Schema):
    id: int
    name: str
    master_deck_url: str
    content_project_url: str
    access_days: int
    exercises: str
    instructions: str


class WebinarOut(Schema):
    id: int
    title: str
    kind: Kind
    abstract: str
    region: Region
    starts_at: datetime
    time_zone: str
    duration_minutes: int
    capacity: int | None
    lab_template: int | None = Field(alias="lab_template_id")
    content_project_url: str
    access_days: int | None
    host: int | None = Field(alias="host_id", description="The DRI.")
    status: WebinarStatus
    deck_name: str = Field(description="`<Lab Name> - <Region> - <YYYY-MM-DD>`.")
    recording_url: str
    deck_url: str
    content_items: list[int] = Field(description="The content items (ids) it uses.")
    helpers: list[int] = Field(description="The Q&A helpers (user ids).")

    @staticmethod
    def resolve_content_items(obj: Webinar) -> list[int]:
        return [item.pk for item in obj.content_items.all()]

    @staticmethod
    def resolve_helpers(obj: Webinar) -> list[int]:
        return [member.pk for member in obj.helpers.all()]


class WebinarFilter(FilterSchema):
    status: WebinarStatus | None = None
    kind: Kind | None = None
    region: Region | None = None
    host: Annotated[Id | None, FilterLookup("host_id")] = None
    starts_after: Annotated[datetime | None, FilterLookup("starts_at__gte")] = None
    starts_before: Annotated[datetime | None, FilterLookup("starts_at__lt")] = None


@router.get("/lab-templates", response=list[LabTemplateOut])
@paginate(Pagination)
def list_lab_templates(request: AuthedRequest):
    require_perm(request, "webinars.view_labtemplate")
    return LabTemplate.objects.order_by("name", "id")


@router.get("/lab-templates/{template_id}", response={200: LabTemplateOut, **ERROR_RESPONSES})
def get_lab_template(request: AuthedRequest, template_id: int):
    require_perm(request, "webinars.view_labtemplate")
    return get_object_or_404(LabTemplate, pk=template_id)


class LabTemplateIn(Body):
    name: Text = Field(max_length=120)
    master_deck_url: Text = Field("", max_length=200)
    content_project_url: Text = Field("", max_length=200)
    access_days: int = Field(2, description="2 or 4: an attendee's access window.")
    exercises: Text = Field("", description="One exercise a line.")
    instructions: Text = Field("", description="What an attendee reads once they redeem.")


class LabTemplatePatch(Body):
    name: Text | None = Field(None, max_length=120)
    master_deck_url: Text | None = Field(None, max_length=200)
    content_project_url: Text | None = Field(None, max_length=200)
    access_days: int | None = None
    exercises: Text | None = None
    instructions: Text | None = None


@router.post("/lab-templates", response={201: LabTemplateOut, **ERROR_RESPONSES})
def create_lab_template(request: AuthedRequest, payload: LabTemplateIn):
    """Add a lab template (program managers)."""
    require_perm(request, "webinars.add_labtemplate")
    return Status(201, services.save_lab_template(payload.model_dump(), actor=request.user))


@router.patch("/lab-templates/{template_id}", response={200: LabTemplateOut, **ERROR_RESPONSES})
def update_lab_template(request: AuthedRequest, template_id: int, payload: LabTemplatePatch):
    """Change a lab template (program managers); the fields left out stay."""
    require_perm(request, "webinars.change_labtemplate")
    template = get_object_or_404(LabTemplate, pk=template_id)
    data = {name: getattr(template, name) for name in services.TEMPLATE_FIELDS}
    data.update(
        {
            name: value
            for name, value in payload.model_dump(exclude_unset=True).items()
            if value is not None
        }
    )
    return services.save_lab_template(data, actor=request.user, template=template)


@router.get("/webinars", response=list[WebinarOut])
@paginate(Pagination)
def list_webinars(request: AuthedRequest, filters: Query[WebinarFilter]):
    require_perm(request, "webinars.view_webinar")
    return filters.filter(
        Webinar.objects.select_related("lab_template")
        .prefetch_related("content_items", "helpers")
        .order_by("starts_at", "id")
    )


@router.get("/webinars/{webinar_id}", response={200: WebinarOut, **ERROR_RESPONSES})
def get_webinar(request: AuthedRequest, webinar_id: int):
    require_perm(request, "webinars.view_webinar")
    return get_object_or_404(
        Webinar.objects.select_related("lab_template").prefetch_related("content_items", "helpers"),
        pk=webinar_id,
    )


class WebinarIn(Body):
    title: Text = Field(max_length=200)
    kind: Kind
    abstract: Text = ""
    region: Region
    starts_at: datetime = Field(description="With its offset; shown in `time_zone`.")
    time_zone: Text = Field("UTC", max_length=64)
    duration_minutes: int = Field(60, ge=15, le=480)
    capacity: int | None = Field(None, ge=1)
    lab_template: Id | None = None
    content_project_url: Text = Field("", max_length=200)
    access_days: int | None = Field(None, description="2 or 4; labs default to the template's.")
    content_items: list[Id] | None = Field(
        None, description="The content items (ids) it uses; left out: unchanged."
    )


@router.post("/webinars", response={201: WebinarOut, **ERROR_RESPONSES})
def create_webinar(request: AuthedRequest, payload: WebinarIn):
    """Draft an event (program managers)."""
    require_perm(request, "webinars.add_webinar")
    data = payload.model_dump()
    if data["lab_template"] is not None:
        data["lab_template"] = get_object_or_404(LabTemplate, pk=data["lab_template"])
    return Status(201, services.save_webinar(data, actor=request.user))


class WebinarPatch(Body):
    """The fields to change; those left out stay as they are."""

    title: Text | None = Field(None, max_length=200)
    kind: Kind | None = None
    abstract: Text | None = None
    region: Region | None = None
    starts_at: datetime | None = Field(None, description="With its offset.")
    time_zone: Text | None = Field(None, max_length=64)
    duration_minutes: int | None = Field(None, ge=15, le=480)
    capacity: int | None = Field(None, ge=1, description="null: no limit.")
    lab_template: Id | None = None
    content_project_url: Text | None = Field(None, max_length=200)
    access_days: int | None = Field(None, description="2 or 4; null: the template's.")
    content_items: list[Id] | None = None
    host: Id | None = Field(None, description="The DRI (a CSE's user id); null: none yet.")
    helpers: list[Id] | None = Field(None, description="The Q&A helpers (user ids).")


# Fields whose null means "none" rather than "leave out".
_NULLABLE = ("capacity", "lab_template", "access_days", "host")


def _member(field: str, pk: int):
    member = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if member is None:
        raise ApiError(422, f"No active member with id {pk}.", field=field, rule="does_not_exist")
    return member


@router.patch("/webinars/{webinar_id}", response={200: WebinarOut, **ERROR_RESPONSES})
def update_webinar(request: AuthedRequest, webinar_id: int, payload: WebinarPatch):
    """Change a draft or published event (program managers), its DRI and helpers too,
    by the sign-up's rules (a conflict is a 422 with its reason). A published event's
    registrants are emailed when its title or time changes."""
    require_perm(request, "webinars.change_webinar")
    webinar = get_object_or_404(
        Webinar.objects.select_related("lab_template").prefetch_related("content_items"),
        pk=webinar_id,
    )
    given = payload.model_dump(exclude_unset=True)
    data = {name: getattr(webinar, name) for name in services.EVENT_FIELDS}
    for name, value in given.items():
        if value is None and name not in _NULLABLE:
            continue  # null for a field that must have a value: left as it is
        data[name] = value
    if data.get("lab_template") is not None and "lab_template" in given:
        data["lab_template"] = get_object_or_404(LabTemplate, pk=data["lab_template"])
    if "host" in given:
        data["host"] = _member("host", given["host"]) if given["host"] is not None else None
    if given.get("helpers") is not None:
        data["helpers"] = [_member("helpers", pk) for pk in given["helpers"]]
    services.save_webinar(data, actor=request.user, webinar=webinar)
    return get_webinar(request, webinar_id)


class MoveIn(Body):
    to: WebinarStatus
    expected_state: WebinarStatus | None = Field(
        None, description="The status you saw (409 if it moved)."
    )


@router.post("/webinars/{webinar_id}/move", response={200: WebinarOut, **ERROR_RESPONSES})
def move_webinar(request: AuthedRequest, webinar_id: int, payload: MoveIn):
    """Publish (needs a DRI), deliver, close or cancel."""
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    require_perm(request, "webinars.view_webinar")
    return services.move(
        webinar, payload.to, actor=request.user, expected_state=payload.expected_state or ""
    )


class SignUpIn(Body):
    role: SignUpRole


@router.post("/webinars/{webinar_id}/sign-ups", response={200: WebinarOut, **ERROR_RESPONSES})
def sign_up(request: AuthedRequest, webinar_id: int, payload: SignUpIn):
    """Sign yourself up as DRI (host) or Q&A helper; a conflict is a 422 with its reason."""
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    require_perm(request, "webinars.add_signup")
    return services.sign_up(webinar, request.user, payload.role)


# --- Registrations ---------------------------------------------------------------------


class RegistrationOut(Schema):
    id: int
    webinar: int = Field(alias="webinar_id")
    name: str
    email: str
    company: str
    status: RegistrationStatus
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    attended: bool
    post_event_sent_at: datetime | None


@router.get("/webinars/{webinar_id}/registrations", response=list[RegistrationOut])
@paginate(Pagination)
def list_registrations(request: AuthedRequest, webinar_id: int):
    require_perm(request, "webinars.view_registration")
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    return webinar.registrations.order_by("created_at", "id")


@router.post(
    "/registrations/{registration_id}/cancel", response={200: RegistrationOut, **ERROR_RESPONSES}
)
def cancel_registration(request: AuthedRequest, registration_id: int):
    """Cancel on a registrant's behalf; a freed seat goes to the waiting list's first."""
    require_perm(request, "webinars.change_registration")
    return services.cancel(get_object_or_404(Registration, pk=registration_id))


class AttendanceIn(Body):
    emails: list[Text] = Field(description="The attendees' emails, as the meeting tool lists them.")
    replace: bool = Field(False, description="Exactly these attended (others are unmarked).")


class AttendanceOut(Schema):
    marked: int
    unknown: list[str] = Field(description="Emails that match no registrant.")


@router.post("/webinars/{webinar_id}/attendance", response={200: AttendanceOut, **ERROR_RESPONSES})
def record_attendance(request: AuthedRequest, webinar_id: int, payload: AttendanceIn):
    require_perm(request, "webinars.change_registration")
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    return services.record_attendance(
        webinar, payload.emails, actor=request.user, replace=payload.replace
    )


class PostEventIn(Body):
    recording_url: Text = Field("", max_length=200)
    deck_url: Text = Field("", max_length=200)


class PostEventOut(Schema):
    attendees: int
    no_shows: int
    surveys: int


@router.post("/webinars/{webinar_id}/post-event", response={200: PostEventOut, **ERROR_RESPONSES})
def post_event(request: AuthedRequest, webinar_id: int, payload: PostEventIn):
    """Send the post-event email (each person once; sending again reaches only those
    not reached yet)."""
    require_perm(request, "webinars.change_webinar")
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    return services.send_post_event(
        webinar,
        actor=request.user,
        recording_url=payload.recording_url or None,
        deck_url=payload.deck_url or None,
    )


# --- Environment requests and codes ----------------------------------------------------


class EnvironmentRequestOut(Schema):
    id: int
    webinar: int = Field(alias="webinar_id")
    filed_by: int = Field(alias="filed_by_id")
    filed_at: datetime
    days_before: int = Field(description="Calendar days between filing and delivery.")
    late: bool
    late_reason: str
    notes: str
    status: RequestStatus
    assignee: int | None = Field(alias="assignee_id")
    verified_at: datetime | None
    gitlab_issue_url: str = Field(description='Its mirror on GitLab, when configured; "" else.')


class FileRequestIn(Body):
    late_reason: Text = Field("", description="Needed when filed under the lead time (7 days).")
    notes: Text = ""


@router.get("/environment-requests", response=list[EnvironmentRequestOut])
@paginate(Pagination)
def list_environment_requests(request: AuthedRequest, status: RequestStatus | None = None):
    require_perm(request, "webinars.view_environmentrequest")
    found = EnvironmentRequest.objects.order_by("webinar__starts_at", "id")
    return found.filter(status=status) if status else found


@router.post(
    "/webinars/{webinar_id}/environment-request",
    response={201: EnvironmentRequestOut, **ERROR_RESPONSES},
)
def file_environment_request(request: AuthedRequest, webinar_id: int, payload: FileRequestIn):
    """The lab's DRI files it; late (under the lead time) only with `late_reason`."""
    require_perm(request, "webinars.add_environmentrequest")
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    return Status(
        201,
        services.file_environment_request(
            webinar, actor=request.user, late_reason=payload.late_reason, notes=payload.notes
        ),
    )


class RequestMoveIn(Body):
    to: RequestStatus
    expected_state: RequestStatus | None = None
    production_code: Text | None = Field(None, max_length=64)
    testing_code: Text | None = Field(None, max_length=64)


@router.post(
    "/environment-requests/{environment_request_id}/move",
    response={200: EnvironmentRequestOut, **ERROR_RESPONSES},
)
def move_environment_request(
    request: AuthedRequest, environment_request_id: int, payload: RequestMoveIn
):
    """Demo architects: start, mark ready (with both codes), verify the runners."""
    require_perm(request, "webinars.change_environmentrequest")
    env = get_object_or_404(EnvironmentRequest, pk=environment_request_id)
    return services.move_request(
        env,
        payload.to,
        actor=request.user,
        production_code=payload.production_code,
        testing_code=payload.testing_code,
        expected_state=payload.expected_state or "",
    )


class CodesOut(Schema):
    production_code: str
    testing_code: str = Field(description="For the host's dry run only.")


@router.get(
    "/environment-requests/{environment_request_id}/codes",
    response={200: CodesOut, **ERROR_RESPONSES},
)
def get_codes(request: AuthedRequest, environment_request_id: int):
    """The invitation codes: demo architects, the event's DRI and program managers."""
    env = get_object_or_404(
        EnvironmentRequest.objects.select_related("webinar"), pk=environment_request_id
    )
    if not services.may_see_codes(env.webinar, request.user):
        raise PermissionDenied("Only demo architects, the DRI and program managers see the codes.")
    return env


class RedemptionOut(Schema):
    id: int
    registration: int = Field(alias="registration_id")
    email: str = Field(alias="registration.email")
    redeemed_at: datetime
    access_ends_at: datetime
    ended_at: datetime | None


@router.get("/webinars/{webinar_id}/redemptions", response=list[RedemptionOut])
@paginate(Pagination)
def list_redemptions(request: AuthedRequest, webinar_id: int):
    """Who redeemed the lab's code and when (live during the lab)."""
    require_perm(request, "webinars.view_redemption")
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    return webinar.redemptions.select_related("registration").order_by("redeemed_at", "id")


# --- The public calendar ---------------------------------------------------------------


@router.get("/webinars-calendar.ics", auth=None, response={200: str}, tags=["public"])
def calendar_ics(request):
    """The published events of the last month and the next three, as iCal (no sign-in)."""
    if is_ratelimited(
        request,
        group="webinars-ical",
        # The caller's address; a request without one (a test client) counts as one caller.
        key=lambda group, request: request.META.get("REMOTE_ADDR", ""),
        rate=settings.RHYTHM_WEBINAR_RATE,
        increment=True,
    ):
        raise ApiError(429, "Too many requests: try again in a minute.", rule="rate_limited")
    now = timezone.now()
    webinars = services.published_in(now - timedelta(days=31), now + timedelta(days=93))
    return HttpResponse(services.ical(webinars), content_type="text/calendar; charset=utf-8")
