"""Planning the month: drafting and changing events, moving them through their
states, DRI and helper sign-up with its conflicts, the lab's run of show, and what a
leaver hands over."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rhythm.content.choices import ContentStatus
from rhythm.content.models import ContentItem
from rhythm.core import events, workflow
from rhythm.people.services import calendar_of
from rhythm.webinars import rules
from rhythm.webinars.choices import (
    Kind,
    Region,
    SignUpRole,
    WebinarStatus,
)
from rhythm.webinars.events import (
    SignedUp,
    WebinarChanged,
    WebinarMoved,
)
from rhythm.webinars.models import (
    ChecklistItem,
    LabTemplate,
    Webinar,
    WebinarTransition,
)
from rhythm.webinars.services.common import (
    MANAGE,
    _error,
    parties,
)

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


# A published event's registrants are told when these change: what it is and when.
TOLD_REGISTRANTS = ("title", "starts_at", "time_zone", "duration_minutes")


@transaction.atomic
def save_webinar(data: dict[str, Any], *, actor: Any, webinar: Webinar | None = None) -> Webinar:
    """Draft an event (or change one not yet delivered); a lab gets its checklist.

    `data` may also name the DRI (`host`) and the Q&A helpers (`helpers`), as the
    program manager assigns them; left out, they stay. The sign-up's rules hold: a
    host with another event at an overlapping time or a holiday that day is refused
    with the reason, so is a new time the DRI cannot make, and a published event
    keeps a DRI. When a published event's title or time changes, its registrants are
    told (WebinarChanged) and their reminders follow the new time."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied("Only a program manager plans events.")
    cleaned = _clean_event(data)
    items = _content_items(data)
    changed: list[str] = []
    if webinar is None:
        webinar = Webinar(**cleaned, created_by=actor)
    else:
        webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
        if webinar.status not in (WebinarStatus.DRAFT, WebinarStatus.PUBLISHED):
            raise workflow.TransitionConflict(
                webinar.status, f"A {webinar.status_enum.label.lower()} event no longer changes."
            )
        for name, value in cleaned.items():
            if getattr(webinar, name) != value:
                changed.append(name)
            setattr(webinar, name, value)
    helpers = _team(
        webinar, data, timing_changed=bool({"starts_at", "duration_minutes"} & set(changed))
    )
    webinar.save()
    if helpers is not None:
        webinar.helpers.set(helpers)
    if items is not None:
        webinar.content_items.set(items)
    _sync_checklist(webinar)
    told = [name for name in changed if name in TOLD_REGISTRANTS]
    if webinar.status == WebinarStatus.PUBLISHED and told:
        if "starts_at" in told:
            # The reminders said (or will say) the old time: they go again for the new.
            webinar.registrations.update(day_reminder_at=None, hour_reminder_at=None)
            Webinar.objects.filter(pk=webinar.pk).update(host_reminded_at=None)
        events.publish(WebinarChanged(webinar, told, actor))
    return webinar


def _team(webinar: Webinar, data: dict[str, Any], *, timing_changed: bool) -> list[Any] | None:
    """Set the DRI `data` names on `webinar` (unsaved), and return the helpers it
    names (None: unchanged), after the sign-up's rules; a refusal names its field."""
    new_host = False
    if "host" in data:
        host = data["host"]
        if host is None and webinar.status == WebinarStatus.PUBLISHED:
            raise _error("host", "A published event keeps its DRI: choose another one.", "required")
        if host is not None and host.pk != webinar.host_id:
            if not host.has_perm("webinars.add_signup"):
                raise _error("host", f"{host} does not host events (CSEs do).", "invalid")
            new_host = True
        webinar.host = host
    if webinar.host is not None and (new_host or timing_changed):
        # A new DRI, or a new time, the DRI cannot make is refused, with the reason.
        problem = host_conflict(webinar, webinar.host, named=True)
        if problem:
            raise _error("host" if new_host else "starts_at", problem, "conflict")
    if "helpers" not in data or data["helpers"] is None:
        return None
    helpers = [member for member in data["helpers"] if member.pk != webinar.host_id]
    already = set(webinar.helpers.values_list("pk", flat=True)) if webinar.pk else set()
    day = webinar.starts_at
    for member in helpers:
        if member.pk in already and not timing_changed:
            continue
        if not member.has_perm("webinars.add_signup"):
            raise _error("helpers", f"{member} does not help at events (CSEs do).", "invalid")
        calendar = calendar_of(member)
        local_day = day.astimezone(calendar.zone).date()
        if calendar.is_holiday(local_day):
            raise _error(
                "helpers", f"{local_day:%d %b %Y} is a holiday on {member}'s calendar.", "conflict"
            )
    return helpers


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
        {
            "host": webinar.host_id or "",
            "starts_at": rules.has_started(webinar.starts_at, timezone.now()) or "",
        },
        expected_state=expected_state,
    )
    before = webinar.status
    workflow.record(webinar, WebinarTransition(subject=webinar), to, actor=actor)
    events.publish(WebinarMoved(webinar, before, to, actor))
    return webinar


# --- DRI and helper sign-up ------------------------------------------------------------


def host_conflict(webinar: Webinar, member: Any, *, named: bool = False) -> str:
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
    name = (member.get_full_name() or member.username) if named else ""
    return rules.host_conflict(webinar.starts_at, webinar.ends_at, hosted, holidays, name)


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


# --- What a leaver hands over ----------------------------------------------------------


def open_work(user: Any) -> list[tuple[int, str]]:
    hosting = Webinar.objects.filter(
        host=user, status__in=[WebinarStatus.DRAFT, WebinarStatus.PUBLISHED]
    ).count()
    return [(hosting, "upcoming events hosted")] if hosting else []


def upcoming_filter() -> Q:
    return Q(status__in=[WebinarStatus.DRAFT, WebinarStatus.PUBLISHED])
