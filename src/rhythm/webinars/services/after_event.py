"""After the event: attendance (a CSV of the meeting tool, or marked), the
post-event email to attendees and no-shows, and the attendees' short survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from rhythm.core import events, workflow
from rhythm.customers.models import Contact
from rhythm.surveys import services as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.webinars import notifications
from rhythm.webinars.choices import (
    RegistrationStatus,
    WebinarStatus,
)
from rhythm.webinars.events import (
    PostEventSent,
)
from rhythm.webinars.models import (
    Registration,
    Webinar,
)
from rhythm.webinars.services.common import (
    MANAGE,
    _claim,
    _error,
)

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
