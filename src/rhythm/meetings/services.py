"""Use cases for customer meetings. Every change is announced (meetings.events), and
the account timeline logs each one."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from simple_history.utils import bulk_create_with_history

from rhythm.core import events
from rhythm.core.rules import zone_named
from rhythm.meetings import rules
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.events import MeetingHeld, MeetingPrepared, MeetingScheduled, MeetingSetUp
from rhythm.meetings.models import CalendarFeed, ChecklistItem, ChecklistTemplateItem, Meeting


def _ahead(scheduled_at: datetime, zone_name: str = "") -> datetime:
    """A call's time, aware (a time without an offset is on `zone_name`'s wall
    clock), and not in the past."""
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at, zone_named(zone_name))
    if scheduled_at < timezone.now():
        raise ValidationError(
            {
                "scheduled_at": ValidationError(
                    "The time has passed: give one ahead, or log the call as held.",
                    code="past",
                )
            }
        )
    return scheduled_at


@transaction.atomic
def schedule_spot_meeting(
    *,
    account,
    topic: str,
    cse,
    actor,
    participants=(),
    organiser=None,
    scheduled_at: datetime | None = None,
) -> Meeting:
    """A spot engagement's one call: named `CSE: <topic>`, the CSE among its
    participants, on the CSE's zone (a time without an offset is on their wall clock)."""
    zone = cse.time_zone if zone_named(cse.time_zone) else "UTC"
    if scheduled_at is not None:
        scheduled_at = _ahead(scheduled_at, zone)
    meeting = Meeting.objects.create(
        account=account,
        name=rules.spot_meeting_name(topic),
        kind=MeetingKind.SPOT,
        cse=cse,
        scheduled_at=scheduled_at,
        time_zone=zone,
        organiser=organiser,
        created_by=actor,
    )
    meeting.participants.set({cse, actor, *participants})
    _copy_checklist(meeting)
    events.publish(MeetingSetUp(meeting, actor))
    return meeting


# --- Booking a meeting for a CTA or a complex engagement ------------------------------


@dataclass
class Details:
    """What a CSE gives when booking a call. `scheduled_at` without an offset is on
    `time_zone`'s wall clock."""

    scheduled_at: datetime | None
    time_zone: str = "UTC"
    duration_minutes: int = rules.DEFAULT_DURATION
    contacts: Sequence[Any] = ()
    ae: Any = None
    video_url: str = ""
    notes_url: str = ""
    deck_url: str = ""
    notes: str = ""
    # The topic rules (DESIGN rule 9): another call on an engagement that is about
    # another offering, or a topic marked new, needs a new request.
    new_topic: bool = False
    offering_id: int | None = None
    topic: str = ""
    errors: dict[str, ValidationError] = field(default_factory=dict)


def _checked(details: Details, account) -> datetime:
    """The call's time, or every problem of the details at once, each by its field."""
    errors: dict[str, ValidationError] = {}
    starts = None
    if zone_named(details.time_zone) is None:
        errors["time_zone"] = ValidationError(
            f"{details.time_zone or '(blank)'} is not an IANA time zone (e.g. Europe/Paris).",
            code="invalid_time_zone",
        )
    elif details.scheduled_at is None:
        errors["scheduled_at"] = ValidationError(
            "Give the date and time of the call.", code="required"
        )
    else:
        try:
            starts = _ahead(details.scheduled_at, details.time_zone)
        except ValidationError as exc:
            errors["scheduled_at"] = exc.error_dict["scheduled_at"][0]
    if not 15 <= details.duration_minutes <= rules.MAX_DURATION:
        errors["duration_minutes"] = ValidationError(
            f"A call lasts from 15 to {rules.MAX_DURATION} minutes.", code="out_of_range"
        )
    strangers = [str(c) for c in details.contacts if c.account_id != account.pk]
    if strangers:
        errors["contacts"] = ValidationError(
            f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not a contact "
            f"of {account.name}.",
            code="not_the_accounts",
        )
    if errors or starts is None:
        raise ValidationError(errors)
    return starts


def _book(
    *, account, cse, actor, kind: str, name: str, details: Details, cta=None, request=None
) -> Meeting:
    starts = _checked(details, account)
    first_contact = next(iter(details.contacts), None)
    # A call on an engagement whose first call is held adds to it: a follow-up more.
    check_topic(
        account_id=account.pk,
        now=timezone.now(),
        cta=cta,
        request=request if cta is None else None,
        new_topic=details.new_topic,
        offering_id=details.offering_id,
        adds_follow_up=True,
        contact_id=first_contact.pk if first_contact is not None else None,
        topic=details.topic or details.notes,
    )
    meeting = Meeting.objects.create(
        account=account,
        name=name[:200],
        kind=kind,
        cse=cse,
        cta=cta,
        request=request,
        scheduled_at=starts,
        time_zone=details.time_zone,
        duration_minutes=details.duration_minutes,
        ae=details.ae,
        video_url=details.video_url,
        notes_url=details.notes_url,
        deck_url=details.deck_url,
        notes=details.notes,
        created_by=actor,
    )
    meeting.participants.set({cse, actor})
    meeting.contacts.set(details.contacts)
    _copy_checklist(meeting)
    events.publish(MeetingSetUp(meeting, actor))
    return meeting


def may_book(cse_id: int | None, actor) -> bool:
    return rules.books_the_call(cse_id=cse_id, actor_id=actor.pk, is_manager=actor.manages_cses)


@transaction.atomic
def book_for_cta(cta, *, actor, details: Details) -> Meeting:
    """The customer call of a CTA, booked by its owner (or a manager for them)."""
    # Read afresh and held until commit: the CTA may have been accepted, reassigned
    # or closed since the caller read it.
    cta = type(cta).objects.select_for_update(of=("self",)).select_related("account").get(pk=cta.pk)
    if cta.owner_id is None:
        raise ValidationError(
            {"cta": ValidationError("Accept the CTA first: its owner runs the call.", "unowned")}
        )
    if cta.status == "closed":
        raise ValidationError({"cta": ValidationError("The CTA is closed.", code="closed")})
    if not may_book(cta.owner_id, actor):
        raise PermissionDenied(f"Only {cta.owner} (the CTA's owner) or a manager books its call.")
    account = cta.account
    kind = MeetingKind.CASE if cta.case_id else MeetingKind.ENGAGEMENT
    return _book(
        account=account,
        cse=cta.owner,
        actor=actor,
        kind=kind,
        name=f"{account.name} - CSE call",
        details=details,
        cta=cta,
        request=cta.request,
    )


@transaction.atomic
def book_for_request(request, *, actor, details: Details) -> Meeting:
    """A call of a complex engagement, booked by its assigned CSE (or a manager)."""
    request = type(request).objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.assigned_cse_id is None:
        raise ValidationError(
            {
                "request": ValidationError(
                    "The request has no CSE yet: a call is booked once one is assigned.",
                    code="unassigned",
                )
            }
        )
    if not may_book(request.assigned_cse_id, actor):
        raise PermissionDenied(
            f"Only {request.assigned_cse} (the engagement's CSE) or a manager books its calls."
        )
    return _book(
        account=request.account,
        cse=request.assigned_cse,
        actor=actor,
        kind=MeetingKind.ENGAGEMENT,
        name=f"{request.title} - CSE call",
        details=details,
        request=request,
        cta=getattr(request, "cta", None),
    )


# --- The preparation checklist ----------------------------------------------------


def ensure_checklist_template(**kwargs: Any) -> None:
    """Seed the handbook's meeting workflow once; an admin edits it afterwards."""
    if ChecklistTemplateItem.objects.exists():
        return
    for position, (title, before, facts) in enumerate(rules.CHECKLIST, start=1):
        ChecklistTemplateItem.objects.create(
            position=position, title=title, due_before_minutes=before, shows_account_facts=facts
        )


def _copy_checklist(meeting: Meeting) -> None:
    """The template's items, copied: editing the template later leaves them be."""
    items = [
        ChecklistItem(
            meeting=meeting,
            position=position,
            title=template.title,
            due_before_minutes=template.due_before_minutes,
            due_at=rules.item_due_at(meeting.scheduled_at, template.due_before_minutes),
            shows_account_facts=template.shows_account_facts,
        )
        for position, template in enumerate(
            ChecklistTemplateItem.objects.active().order_by("position", "id"), start=1
        )
    ]
    if items:
        bulk_create_with_history(items, ChecklistItem)


def _redate_checklist(meeting: Meeting) -> None:
    for item in meeting.checklist.select_for_update():
        due_at = rules.item_due_at(meeting.scheduled_at, item.due_before_minutes)
        if due_at != item.due_at:
            item.due_at = due_at
            item.save(update_fields=["due_at", "updated_at"])


@transaction.atomic
def set_checklist_item(item: ChecklistItem, *, done: bool, actor) -> ChecklistItem:
    """Tick (or untick) an item. The last one ticked makes the call prepared."""
    meeting = _locked_for(item.meeting, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            {"status": ValidationError("The call is over: its checklist stays as it was.", "held")}
        )
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if item.done != done:
        item.done_at, item.done_by = (timezone.now(), actor) if done else (None, None)
        item.save(update_fields=["done_at", "done_by", "updated_at"])
    ready = rules.is_prepared(
        [at is not None for at in meeting.checklist.values_list("done_at", flat=True)]
    )
    if ready and meeting.prepared_at is None:
        meeting.prepared_at = timezone.now()
        meeting.save(update_fields=["prepared_at", "updated_at"])
        events.publish(MeetingPrepared(meeting, actor))
    elif not ready and meeting.prepared_at is not None:
        meeting.prepared_at = None
        meeting.save(update_fields=["prepared_at", "updated_at"])
    return item


def may_run(meeting: Meeting, actor) -> bool:
    return rules.runs_the_call(
        meeting_cse_id=meeting.cse_id,
        actor_id=actor.pk,
        is_manager=actor.manages_cses,
    )


def may_schedule(meeting: Meeting, actor) -> bool:
    return rules.sets_the_time(
        meeting_cse_id=meeting.cse_id,
        organiser_id=meeting.organiser_id,
        actor_id=actor.pk,
        is_manager=actor.manages_cses,
    )


def _locked_for(meeting: Meeting, actor) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_run(meeting, actor):
        raise PermissionDenied(f"Only {meeting.cse} (the meeting's CSE) or a manager runs it.")
    return meeting


@transaction.atomic
def log_held(
    meeting: Meeting, *, actor, notes: str = "", summary: str = "", outcome: str = ""
) -> Meeting:
    """Log the call as held, once. It keeps both times: when it was booked for
    (`scheduled_at`) and when it happened (`held_at`), which the KPIs count."""
    meeting = _locked_for(meeting, actor)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(
            {"status": ValidationError("The call is logged as held already.", code="held")}
        )
    now = timezone.now()
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now
    if notes:
        meeting.notes = notes
    meeting.summary, meeting.outcome = summary.strip(), " ".join(outcome.split())[:300]
    meeting.save(update_fields=["status", "held_at", "notes", "summary", "outcome", "updated_at"])
    events.publish(MeetingHeld(meeting, actor, notes, attendees(meeting)))
    return meeting


def attendees(meeting: Meeting) -> str:
    """Who the call was with: the team's participants (the CSE among them), the AE
    if invited, and the customer's contacts."""
    people = [str(p) for p in meeting.participants.order_by("first_name", "pk")]
    if meeting.ae is not None and str(meeting.ae) not in people:
        people.append(f"{meeting.ae} (AE)")
    return rules.attendees_line(people, [str(c) for c in meeting.contacts.order_by("pk")])


@transaction.atomic
def schedule(
    meeting: Meeting, *, actor, scheduled_at: datetime | None, time_zone: str = ""
) -> Meeting:
    """Set or move the call's time, until it is held: its CSE, the CSM who set it
    up, or a manager."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_schedule(meeting, actor):
        raise PermissionDenied(
            f"Only {meeting.cse} (the meeting's CSE), the CSM who set it up or a manager "
            "sets its time."
        )
    if scheduled_at is None:
        raise ValidationError(
            {
                "scheduled_at": ValidationError(
                    "Give the date and time of the call.", code="required"
                )
            }
        )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            {
                "scheduled_at": ValidationError(
                    "The call was held already; its time can no longer change.", code="held"
                )
            }
        )
    if time_zone and zone_named(time_zone) is None:
        raise ValidationError(
            {"time_zone": ValidationError(f"{time_zone} is not an IANA time zone.", "invalid")}
        )
    scheduled_at = _ahead(scheduled_at, time_zone)
    moved = meeting.scheduled_at is not None
    meeting.scheduled_at = scheduled_at
    meeting.time_zone = time_zone or meeting.time_zone
    meeting.save(update_fields=["scheduled_at", "time_zone", "updated_at"])
    _redate_checklist(meeting)
    events.publish(MeetingScheduled(meeting, actor, moved))
    return meeting


# --- A CSE's iCal feed ---------------------------------------------------------------

FEED_SALT = "rhythm.meetings.feed"


def _feed(user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"secret": secrets.token_urlsafe(24)}
    )
    return feed


def feed_token(user) -> str:
    """The signed token of the address of the user's feed (made on first ask)."""
    return signing.dumps([user.pk, _feed(user).secret], salt=FEED_SALT)


@transaction.atomic
def reset_feed(user) -> str:
    """A new secret: every address handed out before stops working."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first() or _feed(user)
    feed.secret = secrets.token_urlsafe(24)
    feed.save(update_fields=["secret", "updated_at"])
    return feed_token(user)


def feed_owner(token: str):
    """Whose feed a token opens, or None for a forged, altered or reset one."""
    try:
        user_id, secret = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=user_id).first()
    if feed is None or not secrets.compare_digest(str(feed.secret), str(secret)):
        return None
    return feed.user if feed.user.is_active else None


def feed_meetings(user):
    """What a CSE's feed lists: the calls they run or attend, from 30 days back."""
    since = timezone.now() - timedelta(days=30)
    return (
        Meeting.objects.active()
        .filter(scheduled_at__gte=since)
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(models.Q(cse=user) | models.Q(ae=user) | models.Q(participants=user))
        .distinct()
        .select_related("account", "cse", "ae")
        .prefetch_related("contacts")
        .order_by("scheduled_at", "pk")
    )


# --- Topic rules (DESIGN rule 9) -------------------------------------------------------
# Wherever a call, a follow-up or a question is added to an existing engagement (a
# CTA's, a request's, or a spot call's own), the rules say whether it may be, or
# whether a new request is due. The follow-ups and questions are read through the
# meetings' relations (followups names them), so meetings imports nothing of theirs.


def _topic_calls(*, cta_id=None, request_id=None, meeting_id=None):
    if cta_id:
        return Meeting.objects.filter(cta_id=cta_id)
    if request_id:
        return Meeting.objects.filter(request_id=request_id)
    return Meeting.objects.filter(pk=meeting_id)


def engagement_offering_id(*, cta=None, request=None) -> int | None:
    """The catalog offering the engagement is about: its request's, or its case's."""
    if request is not None and request.offering_id:
        return request.offering_id
    case = getattr(cta, "case", None) if cta is not None else None
    return case.offering_id if case is not None else None


def new_request_url(*, account_id: int, cta=None, request=None, contact_id=None, topic="") -> str:
    """Where "open a new request" leads: the account's request form, filled in with
    what the engagement knows (its offering and contact) and the topic."""
    case = getattr(cta, "case", None) if cta is not None else None
    known = {
        "offering": engagement_offering_id(cta=cta, request=request),
        "contact": contact_id or (case.contact_id if case is not None else None),
        "topic": " ".join(topic.split())[:500],
    }
    query = urlencode({name: value for name, value in known.items() if value})
    url = reverse("engagements:create", args=[account_id])
    return f"{url}?{query}" if query else url


def check_topic(
    *,
    account_id: int,
    now: datetime,
    cta=None,
    request=None,
    meeting_id: int | None = None,
    new_topic: bool = False,
    offering_id: int | None = None,
    adds_follow_up: bool = False,
    contact_id: int | None = None,
    topic: str = "",
) -> None:
    """Refuse, naming the rule (its code), what may not be added to the engagement:
    another catalog offering or a topic marked new, an engagement of a previous fiscal
    quarter, four weeks without a customer contact (each with the link to a new
    request, filled in), a fourth follow-up on one topic. An engagement without a held
    call yet has nothing to reopen."""
    calls = _topic_calls(
        cta_id=getattr(cta, "pk", None),
        request_id=getattr(request, "pk", None),
        meeting_id=meeting_id,
    ).filter(held_at__isnull=False)
    seen = calls.aggregate(
        first=models.Min("held_at"),
        held=models.Max("held_at"),
        sent=models.Max("follow_up__sent_at"),
        asked=models.Max("further_questions__asked_at"),
    )
    if seen["first"] is None:
        return
    follow_ups = calls.filter(follow_up__sent_at__isnull=False).count() if adds_follow_up else 0
    zone = timezone.get_current_timezone()
    last = max(moment for key, moment in seen.items() if key != "first" and moment is not None)
    known_offering = engagement_offering_id(cta=cta, request=request)
    refusal = rules.topic_refusal(
        today=now.astimezone(zone).date(),
        engagement_started=seen["first"].astimezone(zone).date(),
        last_customer_contact=last.astimezone(zone).date(),
        fiscal_start_month=settings.RHYTHM_FISCAL_YEAR_START_MONTH,
        another_offering=bool(offering_id and known_offering and offering_id != known_offering),
        new_topic=new_topic,
        follow_ups_on_topic=follow_ups,
        adds_follow_up=adds_follow_up,
    )
    if refusal is None:
        return
    message = refusal.message
    if refusal.new_request:
        link = new_request_url(
            account_id=account_id, cta=cta, request=request, contact_id=contact_id, topic=topic
        )
        message = f"{message} {settings.SITE_URL}{link}"
    raise ValidationError({"topic": ValidationError(message, code=refusal.code)})
