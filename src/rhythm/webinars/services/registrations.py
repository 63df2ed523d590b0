"""The public's side: registration with double opt-in, the waiting list, a
registrant's cancellation, and the reminders 1 day and 1 hour before (and the
host's 10 minutes before a lab).

Links are random tokens of 32 bytes (256 bits) whose SHA-256 alone is stored, found
by an exact match on a unique index, as surveys' are (see surveys/services.py for
why not `django.core.signing`); a registration's link expires when its event ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from rhythm.core import events, workflow
from rhythm.core import rules as core_rules
from rhythm.webinars import notifications, rules
from rhythm.webinars.choices import (
    RegistrationStatus,
    WebinarStatus,
)
from rhythm.webinars.events import (
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationReceived,
    WaitlistPromoted,
)
from rhythm.webinars.models import (
    Registration,
    Webinar,
)
from rhythm.webinars.services.common import (
    LINK_LIFETIME_AFTER,
    TOKEN_BYTES,
    _claim,
)

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


# --- Reminders -------------------------------------------------------------------------


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


def seat_counts(webinars) -> dict[int, int]:
    """Confirmed registrations per event, in one query."""
    return dict(
        Registration.objects.filter(webinar__in=webinars, status=RegistrationStatus.CONFIRMED)
        .values_list("webinar")
        .annotate(n=Count("id"))
        .values_list("webinar", "n")
    )
