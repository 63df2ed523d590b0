"""Webinars' use cases. Each is one transaction that checks the rules, locks what it
changes, writes, and announces what happened (events.py); the emails that follow an
event are notifications.py's, the timed ones (reminders, the post-event email) are
written here, each once (a conditional UPDATE claims the row, the outbox key guards a
retry).

Links are random tokens of 32 bytes (256 bits) whose SHA-256 alone is stored, found
by an exact match on a unique index, as surveys' are (see surveys/services.py for
why not `django.core.signing`); a registration's link expires when its event ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from rhythm.content.choices import ContentStatus
from rhythm.content.models import ContentItem
from rhythm.core import events, workflow
from rhythm.core import rules as core_rules
from rhythm.customers.models import Contact
from rhythm.people.services import calendar_of
from rhythm.surveys import services as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.webinars import notifications, rules
from rhythm.webinars.choices import (
    Kind,
    Region,
    RegistrationStatus,
    RequestStatus,
    SignUpRole,
    WebinarStatus,
)
from rhythm.webinars.events import (
    CodeRedeemed,
    EnvironmentMoved,
    EnvironmentRequested,
    PostEventSent,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationReceived,
    SignedUp,
    WaitlistPromoted,
    WebinarMoved,
)
from rhythm.webinars.models import (
    ChecklistItem,
    EnvironmentRequest,
    LabTemplate,
    Redemption,
    Registration,
    RequestTransition,
    Webinar,
    WebinarTransition,
)

TOKEN_BYTES = 32
# A registration's link works until a week after its event (the lab's access window
# is at most 4 days): then it has nothing left to show.
LINK_LIFETIME_AFTER = timedelta(days=7)
MANAGE = "webinars.change_webinar"  # the program manager's right
FULFIL = "webinars.change_environmentrequest"  # the demo architects'
SEE_CODES = "webinars.view_invitation_codes"


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parties(webinar: Webinar, user: Any) -> set[str]:
    found = set()
    if user.has_perm(MANAGE):
        found.add(rules.PROGRAM_MANAGER)
    if webinar.host_id is not None and webinar.host_id == user.pk:
        found.add(rules.DRI)
    if user.has_perm(FULFIL):
        found.add(rules.DEMO_ARCHITECT)
    return found


def may_see_codes(webinar: Webinar, user: Any) -> bool:
    """Demo architects and program managers (their right), and the event's DRI."""
    return user.has_perm(SEE_CODES) or (webinar.host_id is not None and webinar.host_id == user.pk)


# --- Events: planning ------------------------------------------------------------------

EVENT_FIELDS = (
    "title",
    "kind",
    "abstract",
    "region",
    "starts_at",
    "time_zone",
    "duration_minutes",
    "capacity",
    "lab_template",
    "content_project_url",
    "access_days",
)


def _clean_event(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, ValidationError] = {}
    if not str(data.get("title") or "").strip():
        errors["title"] = ValidationError("Give the event a title.", code="required")
    if data.get("kind") not in Kind.values:
        errors["kind"] = ValidationError(f"One of {', '.join(Kind.values)}.", code="invalid_choice")
    if data.get("region") not in Region.values:
        errors["region"] = ValidationError(
            f"One of {', '.join(Region.values)}.", code="invalid_choice"
        )
    if not isinstance(data.get("starts_at"), datetime):
        errors["starts_at"] = ValidationError("Give the start time.", code="required")
    try:
        ZoneInfo(str(data.get("time_zone") or ""))
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = ValidationError(
            "Give an IANA time zone, such as Europe/Berlin.", code="invalid"
        )
    duration = data.get("duration_minutes") or 0
    if not 15 <= int(duration) <= 480:
        errors["duration_minutes"] = ValidationError(
            "A duration between 15 and 480 minutes.", code="out_of_range"
        )
    if data.get("kind") == Kind.LAB and data.get("lab_template") is None:
        errors["lab_template"] = ValidationError(
            "A lab is delivered from a lab template: choose one.", code="required"
        )
    if errors:
        raise ValidationError(errors)
    data = {name: data.get(name) for name in EVENT_FIELDS}
    template: LabTemplate | None = data["lab_template"]
    if data["kind"] == Kind.LAB and template is not None:
        data["access_days"] = data["access_days"] or template.access_days
        data["content_project_url"] = data["content_project_url"] or template.content_project_url
    else:
        data["lab_template"] = None
        data["access_days"] = None
    data["abstract"] = data["abstract"] or ""
    data["content_project_url"] = data["content_project_url"] or ""
    starts_at = data["starts_at"]
    if timezone.is_naive(starts_at):
        # A time typed without its zone is read in the event's zone.
        data["starts_at"] = starts_at.replace(tzinfo=ZoneInfo(data["time_zone"]))
    return data


@transaction.atomic
def save_webinar(data: dict[str, Any], *, actor: Any, webinar: Webinar | None = None) -> Webinar:
    """Draft an event (or change one not yet delivered); a lab gets its checklist."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied("Only a program manager plans events.")
    cleaned = _clean_event(data)
    items = _content_items(data)
    if webinar is None:
        webinar = Webinar.objects.create(**cleaned, created_by=actor)
    else:
        webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
        if webinar.status not in (WebinarStatus.DRAFT, WebinarStatus.PUBLISHED):
            raise workflow.TransitionConflict(
                webinar.status, f"A {webinar.status_enum.label.lower()} event no longer changes."
            )
        for name, value in cleaned.items():
            setattr(webinar, name, value)
        webinar.save()
    if items is not None:
        webinar.content_items.set(items)
    _sync_checklist(webinar)
    return webinar


def _content_items(data: dict[str, Any]) -> list[Any] | None:
    """The content items `data` names (rows or ids), None when it names none; a
    retired or unknown one is refused, by the field."""
    given = data.get("content_items")
    if given is None:
        return None
    ids = [getattr(item, "pk", item) for item in given]
    found = {
        item.pk: item
        for item in ContentItem.objects.filter(pk__in=ids).exclude(status=ContentStatus.RETIRED)
    }
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {
                "content_items": ValidationError(
                    f"No content in use with id {', '.join(missing)} (retired content is not"
                    " used by new events).",
                    code="does_not_exist",
                )
            }
        )
    return list(found.values())


def _sync_checklist(webinar: Webinar) -> None:
    """A lab's run of show: its steps, due relative to the start (moved with it)."""
    if not webinar.is_lab:
        webinar.checklist.all().delete()
        return
    steps = rules.checklist(webinar.deck_name, webinar.access_days or 2)
    existing = {item.key: item for item in webinar.checklist.all()}
    for position, step in enumerate(steps):
        item = existing.get(step.key) or ChecklistItem(webinar=webinar, key=step.key)
        item.position, item.title = position, step.title
        item.due_at = webinar.starts_at - step.before
        item.save()


@transaction.atomic
def move(webinar: Webinar, to: str, *, actor: Any, expected_state: str = "") -> Webinar:
    """Publish, deliver, close or cancel an event (rules.WEBINAR_FLOW)."""
    webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
    workflow.enforce(
        rules.WEBINAR_FLOW,
        webinar.status,
        to,
        parties(webinar, actor),
        {"host": webinar.host_id or ""},
        expected_state=expected_state,
    )
    before = webinar.status
    workflow.record(webinar, WebinarTransition(subject=webinar), to, actor=actor)
    events.publish(WebinarMoved(webinar, before, to, actor))
    return webinar


# --- DRI and helper sign-up ------------------------------------------------------------


def host_conflict(webinar: Webinar, member: Any) -> str:
    """Why `member` may not host `webinar`: another event they host at an
    overlapping time, or a holiday on their business-day calendar."""
    hosted = [
        (other.title, other.starts_at, other.ends_at)
        for other in Webinar.objects.filter(host=member)
        .exclude(pk=webinar.pk)
        .exclude(status=WebinarStatus.CANCELLED)
        .filter(
            starts_at__lt=webinar.ends_at,
            starts_at__gt=webinar.starts_at - timedelta(hours=12),
        )
    ]
    calendar = calendar_of(member)
    days = {
        webinar.starts_at.astimezone(calendar.zone).date(),
        webinar.ends_at.astimezone(calendar.zone).date(),
    }
    holidays = sorted(day for day in days if calendar.is_holiday(day))
    return rules.host_conflict(webinar.starts_at, webinar.ends_at, hosted, holidays)


@transaction.atomic
def sign_up(webinar: Webinar, member: Any, role: str) -> Webinar:
    """A CSE signs up as the event's DRI (host) or a Q&A helper; a conflict is
    refused with its reason."""
    if not member.has_perm("webinars.add_signup"):
        raise PermissionDenied("Only CSEs sign up for events.")
    if role not in SignUpRole.values:
        raise _error("role", f"One of {', '.join(SignUpRole.values)}.", "invalid_choice")
    webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
    if webinar.status not in (WebinarStatus.DRAFT, WebinarStatus.PUBLISHED):
        raise workflow.TransitionConflict(
            webinar.status, f"A {webinar.status_enum.label.lower()} event takes no sign-ups."
        )
    if role == SignUpRole.HOST:
        if webinar.host_id == member.pk:
            return webinar  # again: nothing changes
        if webinar.host_id is not None:
            raise _error("role", f"{webinar.host} is this event's DRI already.", "taken")
        problem = host_conflict(webinar, member)
        if problem:
            raise _error("role", problem, "conflict")
        webinar.host = member
        webinar.save(update_fields=["host", "updated_at"])
        webinar.helpers.remove(member)
    else:
        if webinar.host_id == member.pk:
            raise _error("role", "You host this event already.", "conflict")
        calendar = calendar_of(member)
        day = webinar.starts_at.astimezone(calendar.zone).date()
        if calendar.is_holiday(day):
            raise _error("role", f"{day:%d %b %Y} is a holiday on your calendar.", "conflict")
        webinar.helpers.add(member)
    events.publish(SignedUp(webinar, member, role))
    return webinar


# --- Registration (public) -------------------------------------------------------------


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("webinars:registration", args=[token])


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, core_rules.hash_token(token)


def looks_like_token(token: str) -> bool:
    return len(token) == 43 and all(c.isalnum() or c in "-_" for c in token)


@dataclass(frozen=True)
class Registered:
    registration: Registration
    url: str  # known only to the call that made it (the tests read it from the outbox)


def open_for_registration(webinar: Webinar, now: datetime | None = None) -> bool:
    return webinar.status == WebinarStatus.PUBLISHED and (now or timezone.now()) < webinar.ends_at


@transaction.atomic
def register(
    webinar: Webinar,
    *,
    name: str,
    email: str,
    company: str,
    consent: bool,
    now: datetime | None = None,
) -> Registered:
    """A visitor registers; the link to confirm goes to their email (double opt-in).

    Registering again with the same email sends a new link (the old one stops
    working) and answers exactly as the first time: the page never tells whether an
    email is registered."""
    now = now or timezone.now()
    errors: dict[str, ValidationError] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ValidationError("Enter a valid email address.", code="invalid")
    for field, value, label in (("name", name, "your name"), ("company", company, "your company")):
        if not (value or "").strip():
            errors[field] = ValidationError(f"Give {label}.", code="required")
    if not consent:
        errors["consent"] = ValidationError(
            "Agree to be emailed about this event to register.", code="required"
        )
    if errors:
        raise ValidationError(errors)
    webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
    if not open_for_registration(webinar, now):
        raise workflow.TransitionConflict(webinar.status, "This event takes no registrations.")
    token, token_hash = _new_token()
    registration = Registration.objects.filter(webinar=webinar, email=email).first()
    if registration is None:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    webinar=webinar,
                    name=name.strip(),
                    email=email,
                    company=company.strip(),
                    consent_at=now,
                    token_hash=token_hash,
                )
        except IntegrityError:
            registration = Registration.objects.get(webinar=webinar, email=email)
    if registration.token_hash != token_hash:
        registration.token_hash = token_hash
        if registration.status == RegistrationStatus.CANCELLED:
            registration.status = RegistrationStatus.PENDING
            registration.cancelled_at = registration.confirmed_at = None
            registration.name, registration.company = name.strip(), company.strip()
            registration.consent_at = now
        registration.save()
    url = link_url(token)
    events.publish(RegistrationReceived(registration, url=url))
    return Registered(registration, url)


class LinkRefused(Exception):
    """An unknown (or replaced) link, or one whose event is over."""


def by_token(token: str, now: datetime | None = None) -> Registration:
    if not looks_like_token(token):
        raise LinkRefused("invalid")
    registration = (
        Registration.objects.select_related("webinar", "webinar__lab_template", "redemption")
        .filter(token_hash=core_rules.hash_token(token))
        .first()
    )
    if registration is None:
        raise LinkRefused("invalid")
    if (now or timezone.now()) > registration.webinar.ends_at + LINK_LIFETIME_AFTER:
        raise LinkRefused("expired")
    return registration


def _seats_taken(webinar: Webinar) -> int:
    return webinar.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


@transaction.atomic
def confirm(token: str, now: datetime | None = None) -> Registration:
    """The registrant confirms through their link: a seat while there is one, else
    the waiting list. Confirming again changes nothing."""
    now = now or timezone.now()
    found = by_token(token, now)
    webinar = Webinar.objects.select_for_update().get(pk=found.webinar_id)
    registration = Registration.objects.select_for_update().get(pk=found.pk)
    if registration.status != RegistrationStatus.PENDING:
        return registration
    if not open_for_registration(webinar, now):
        raise workflow.TransitionConflict(webinar.status, "This event takes no registrations.")
    seat = rules.seat_for(_seats_taken(webinar), webinar.capacity)
    registration.status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
    registration.confirmed_at = now
    registration.waitlisted_at = None if seat else now
    registration.save(update_fields=["status", "confirmed_at", "waitlisted_at", "updated_at"])
    events.publish(RegistrationConfirmed(registration, not seat, url=link_url(token)))
    return registration


@transaction.atomic
def cancel(registration: Registration, now: datetime | None = None) -> Registration:
    """The registrant (through their link) or the program manager (the API) cancels;
    a freed seat goes to the first on the waiting list."""
    now = now or timezone.now()
    webinar = Webinar.objects.select_for_update().get(pk=registration.webinar_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    freed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    events.publish(RegistrationCancelled(registration))
    if freed and webinar.status == WebinarStatus.PUBLISHED:
        _promote(webinar)
    return registration


def _promote(webinar: Webinar) -> None:
    """Fill free seats from the waiting list, first come first served."""
    while rules.seat_for(_seats_taken(webinar), webinar.capacity):
        first = (
            Registration.objects.select_for_update()
            .filter(webinar=webinar, status=RegistrationStatus.WAITLISTED)
            .order_by("waitlisted_at", "id")
            .first()
        )
        if first is None:
            return
        first.status = RegistrationStatus.CONFIRMED
        first.waitlisted_at = None
        first.save(update_fields=["status", "waitlisted_at", "updated_at"])
        events.publish(WaitlistPromoted(first))


def cancel_by_token(token: str) -> Registration:
    return cancel(by_token(token))


# --- Lab environment requests ----------------------------------------------------------


@transaction.atomic
def file_environment_request(
    webinar: Webinar,
    *,
    actor: Any,
    late_reason: str = "",
    notes: str = "",
    now: datetime | None = None,
) -> EnvironmentRequest:
    """The DRI files the lab's environment request; under the lead time (7 calendar
    days by default) it is accepted only with the reason, flagged late."""
    now = now or timezone.now()
    webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
    if not webinar.is_lab:
        raise _error("webinar", "Only a hands-on lab needs an environment.", "not_a_lab")
    if webinar.host_id != actor.pk:
        raise PermissionDenied("The lab's DRI files its environment request.")
    if webinar.status in rules.FINISHED:
        raise workflow.TransitionConflict(webinar.status, "This lab is over.")
    earlier = EnvironmentRequest.objects.filter(webinar=webinar).first()
    if earlier is not None:
        return earlier  # filed already: a retry files nothing new
    timing = rules.request_timing(
        now.astimezone(webinar.zone).date(), webinar.day, settings.RHYTHM_LAB_REQUEST_LEAD_DAYS
    )
    if timing.days_before < 0:
        raise _error("webinar", "The lab has been delivered already.", "past")
    late_reason = (late_reason or "").strip()
    if timing.late and not late_reason:
        raise _error("late_reason", timing.reason_needed, "required")
    request = EnvironmentRequest.objects.create(
        webinar=webinar,
        filed_by=actor,
        filed_at=now,
        days_before=timing.days_before,
        late=timing.late,
        late_reason=late_reason if timing.late else "",
        notes=(notes or "").strip(),
    )
    RequestTransition.objects.create(
        subject=request, from_state="", to_state=RequestStatus.REQUESTED, actor=actor, at=now
    )
    events.publish(EnvironmentRequested(request, actor))
    return request


@transaction.atomic
def move_request(
    request: EnvironmentRequest,
    to: str,
    *,
    actor: Any,
    production_code: str | None = None,
    testing_code: str | None = None,
    expected_state: str = "",
    now: datetime | None = None,
) -> EnvironmentRequest:
    """A demo architect moves the request on the board; the codes go in on the way to
    Ready (both needed), the runners are verified on the way to Verified."""
    now = now or timezone.now()
    request = (
        EnvironmentRequest.objects.select_for_update().select_related("webinar").get(pk=request.pk)
    )
    codes = {
        "production_code": (
            production_code if production_code is not None else request.production_code
        ).strip(),
        "testing_code": (
            testing_code if testing_code is not None else request.testing_code
        ).strip(),
    }
    workflow.enforce(
        rules.REQUEST_FLOW,
        request.status,
        to,
        {rules.DEMO_ARCHITECT} if actor.has_perm(FULFIL) else set(),
        codes,
        expected_state=expected_state,
    )
    if codes["production_code"] and codes["production_code"] == codes["testing_code"]:
        raise _error(
            "testing_code", "The testing code must differ from the production code.", "same"
        )
    fields = ["production_code", "testing_code"]
    request.production_code, request.testing_code = codes["production_code"], codes["testing_code"]
    if to == RequestStatus.IN_PROGRESS and request.assignee_id is None:
        request.assignee = actor
        fields.append("assignee")
    if to == RequestStatus.VERIFIED:
        request.verified_at = now
        fields.append("verified_at")
    before = request.status
    workflow.record(
        request,
        RequestTransition(subject=request),
        to,
        actor=actor,
        update_fields=tuple(fields),
        at=now,
    )
    events.publish(EnvironmentMoved(request, before, to, actor))
    return request


# --- Redemption and access windows -----------------------------------------------------


@dataclass(frozen=True)
class Redeemed:
    redemption: Redemption
    instructions: str


@transaction.atomic
def redeem(webinar: Webinar, *, email: str, code: str, now: datetime | None = None) -> Redeemed:
    """A registrant redeems the lab's production code with their registration email:
    their access window starts. Refusals never tell whether the email is registered."""
    now = now or timezone.now()
    webinar = (
        Webinar.objects.select_for_update(of=("self",))
        .select_related("lab_template")
        .get(pk=webinar.pk)
    )
    request = EnvironmentRequest.objects.filter(webinar=webinar).first()
    email = (email or "").strip().lower()
    registration = (
        Registration.objects.select_for_update()
        .filter(webinar=webinar, email=email, status=RegistrationStatus.CONFIRMED)
        .first()
    )
    redeemed_before = (
        registration is not None and Redemption.objects.filter(registration=registration).exists()
    )
    problem = rules.redemption_problem(
        status=webinar.status,
        is_lab=webinar.is_lab,
        event_day=webinar.day,
        today=now.astimezone(webinar.zone).date(),
        registered=registration is not None,
        code_matches=request is not None
        and request.status in (RequestStatus.READY, RequestStatus.VERIFIED)
        and rules.same_code(code or "", request.production_code),
        redeemed_before=redeemed_before,
    )
    if problem:
        raise _error("code", problem, "refused")
    assert registration is not None  # the rule refused otherwise
    redemption = Redemption.objects.create(
        registration=registration,
        webinar=webinar,
        redeemed_at=now,
        access_ends_at=now + timedelta(days=webinar.access_days or 2),
    )
    # Whoever redeems on the day is there.
    if not registration.attended:
        registration.attended = True
        registration.save(update_fields=["attended", "updated_at"])
    events.publish(CodeRedeemed(redemption))
    template = webinar.lab_template
    return Redeemed(redemption, template.instructions if template else "")


def end_access_windows(now: datetime | None = None) -> int:
    """End every access window that is over; how many ended. A conditional UPDATE, so
    two workers end each once."""
    now = now or timezone.now()
    return Redemption.objects.filter(ended_at__isnull=True, access_ends_at__lte=now).update(
        ended_at=now
    )


def redemption_counts(webinars) -> dict[int, int]:
    """Redemptions per event, in one query (the program manager's live figure)."""
    return dict(
        Redemption.objects.filter(webinar__in=webinars)
        .values_list("webinar")
        .annotate(n=Count("id"))
        .values_list("webinar", "n")
    )


# --- Reminders -------------------------------------------------------------------------


def _claim(model, pk: int, field: str, now: datetime) -> bool:
    """Mark a reminder sent, once: the UPDATE only one worker wins."""
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}))


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """The registrants' reminders 1 day and 1 hour before, and the host's 10 minutes
    before a lab; each once."""
    now = now or timezone.now()
    sent = {"day": 0, "hour": 0, "host": 0}
    upcoming = Webinar.objects.filter(
        status=WebinarStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + rules.DAY_BEFORE
    ).select_related("host")
    for webinar in upcoming:
        for kind, field in (("day", "day_reminder_at"), ("hour", "hour_reminder_at")):
            if not rules.reminder_due(kind, webinar.starts_at, now):
                continue
            due = webinar.registrations.filter(
                status=RegistrationStatus.CONFIRMED, **{f"{field}__isnull": True}
            )
            for registration in due:
                with transaction.atomic():
                    if _claim(Registration, registration.pk, field, now):
                        notifications.reminder(registration, webinar, kind)
                        sent[kind] += 1
        if (
            webinar.host_id
            and rules.reminder_due("host", webinar.starts_at, now)
            and webinar.host_reminded_at is None
        ):
            with transaction.atomic():
                if _claim(Webinar, webinar.pk, "host_reminded_at", now):
                    notifications.host_reminder(webinar)
                    sent["host"] += 1
    return sent


# --- Run of show ----------------------------------------------------------------------


@transaction.atomic
def tick(
    item: ChecklistItem, *, actor: Any, done: bool, now: datetime | None = None
) -> ChecklistItem:
    item = ChecklistItem.objects.select_for_update().select_related("webinar").get(pk=item.pk)
    if not parties(item.webinar, actor) & {rules.DRI, rules.PROGRAM_MANAGER}:
        raise PermissionDenied("The DRI (or a program manager) ticks the run of show.")
    item.done_at = (now or timezone.now()) if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    return item


# --- After the event -------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    marked: int  # registrants now marked as attended
    unknown: list[str]  # emails of the import that match no confirmed registrant


@transaction.atomic
def record_attendance(
    webinar: Webinar, emails: list[str], *, actor: Any, replace: bool = False
) -> Attendance:
    """Mark who attended, from the meeting tool's list of emails (a CSV import) or the
    page's ticks (`replace`: exactly these attended)."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied("The program manager records attendance.")
    webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
    if webinar.status not in (WebinarStatus.PUBLISHED, WebinarStatus.DELIVERED):
        raise workflow.TransitionConflict(
            webinar.status, "Attendance is recorded for a published or delivered event."
        )
    wanted = {e.strip().lower() for e in emails if e.strip()}
    seated = webinar.registrations.filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    )
    known = set(seated.filter(email__in=wanted).values_list("email", flat=True))
    marked = seated.filter(email__in=known).update(attended=True, updated_at=timezone.now())
    if replace:
        seated.exclude(email__in=known).update(attended=False, updated_at=timezone.now())
    return Attendance(marked, sorted(wanted - known))


@transaction.atomic
def send_post_event(
    webinar: Webinar,
    *,
    actor: Any,
    recording_url: str | None = None,
    deck_url: str | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """The post-event email: attendees get the recording and the deck, and a short
    CSAT survey (as a customer's contact when they are one), registrants who did not attend the
    recording with a "sorry we missed you"; each person once."""
    now = now or timezone.now()
    if not actor.has_perm(MANAGE):
        raise PermissionDenied("The program manager sends the post-event email.")
    webinar = (
        Webinar.objects.select_for_update(of=("self",)).select_related("host").get(pk=webinar.pk)
    )
    if webinar.status not in (WebinarStatus.DELIVERED, WebinarStatus.CLOSED):
        raise _error(
            "status", "The post-event email goes once the event is delivered.", "not_delivered"
        )
    webinar.recording_url = (
        recording_url if recording_url is not None else webinar.recording_url
    ).strip()
    webinar.deck_url = (deck_url if deck_url is not None else webinar.deck_url).strip()
    errors = {}
    for field, label in (("recording_url", "recording"), ("deck_url", "deck")):
        value = getattr(webinar, field)
        if not value.startswith(("https://", "http://")):
            errors[field] = ValidationError(
                f"Give the {label}'s link (https://…).", code="required"
            )
    if errors:
        raise ValidationError(errors)
    webinar.post_event_sent_at = webinar.post_event_sent_at or now
    webinar.save(update_fields=["recording_url", "deck_url", "post_event_sent_at", "updated_at"])
    due = list(
        webinar.registrations.filter(
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
            post_event_sent_at__isnull=True,
        )
    )
    counts = {"attendees": 0, "no_shows": 0, "surveys": 0}
    # Registrants' addresses are lower-cased; a contact's may be typed any way.
    contacts = {
        c.email.lower(): c
        for c in Contact.objects.annotate(address=Lower("email"))
        .filter(address__in=[r.email for r in due if r.attended])
        .order_by("-pk")
    }
    for registration in due:
        if not _claim(Registration, registration.pk, "post_event_sent_at", now):
            continue
        notifications.post_event(registration, webinar)
        if registration.attended:
            counts["attendees"] += 1
            # A customer's contact is asked as such (the survey counts on their
            # account); anyone else by the address they registered with.
            contact = contacts.get(registration.email.lower())
            counts["surveys"] += surveys.send_survey(
                SurveyKind.CSAT,
                webinar,
                contact,
                email=registration.email,
                name=registration.name,
                cse=webinar.host,
                about=webinar.title,
                actor=actor,
                now=now,
            ).created
        else:
            counts["no_shows"] += 1
    events.publish(PostEventSent(webinar, counts["attendees"], counts["no_shows"], actor))
    return counts


# --- The public calendar as iCal -------------------------------------------------------


def published_in(start: datetime, end: datetime):
    return (
        Webinar.objects.filter(status__in=[WebinarStatus.PUBLISHED, WebinarStatus.DELIVERED])
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "id")
    )


def ical(webinars) -> bytes:
    """The public calendar (icalendar): one VEVENT per event, its register link."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Rhythm//Webinars and labs//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Webinars and hands-on labs")
    domain = core_rules.email_domain(settings.DEFAULT_FROM_EMAIL) or "rhythm.example"
    for webinar in webinars:
        entry = icalendar.Event()
        entry.add("uid", f"webinar-{webinar.pk}@{domain}")
        entry.add("summary", f"{webinar.title} ({webinar.get_kind_display()}, {webinar.region})")
        entry.add("dtstart", webinar.starts_at)
        entry.add("dtend", webinar.ends_at)
        entry.add("dtstamp", webinar.updated_at)
        url = settings.SITE_URL + reverse("webinars:register", args=[webinar.pk])
        entry.add("url", url)
        entry.add("description", f"{webinar.abstract}\n\nRegister: {url}".strip())
        calendar.add_component(entry)
    return calendar.to_ical()


# --- What a leaver hands over ----------------------------------------------------------


def open_work(user: Any) -> list[tuple[int, str]]:
    hosting = Webinar.objects.filter(
        host=user, status__in=[WebinarStatus.DRAFT, WebinarStatus.PUBLISHED]
    ).count()
    return [(hosting, "upcoming events hosted")] if hosting else []


def upcoming_filter() -> Q:
    return Q(status__in=[WebinarStatus.DRAFT, WebinarStatus.PUBLISHED])


def seat_counts(webinars) -> dict[int, int]:
    """Confirmed registrations per event, in one query."""
    return dict(
        Registration.objects.filter(webinar__in=webinars, status=RegistrationStatus.CONFIRMED)
        .values_list("webinar")
        .annotate(n=Count("id"))
        .values_list("webinar", "n")
    )
