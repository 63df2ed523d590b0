"""The emails webinars send, all through the outbox with an idempotency key: those
that follow an event (subscribers, in its transaction) and those the timed jobs and
the post-event send write (called by services)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from rhythm.content.events import BugReported
from rhythm.core import services as core_services
from rhythm.core.events import subscribe
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.webinars.choices import RegistrationStatus, RequestStatus, WebinarStatus
from rhythm.webinars.events import (
    EnvironmentMoved,
    EnvironmentRequested,
    RegistrationConfirmed,
    RegistrationReceived,
    WaitlistPromoted,
    WebinarChanged,
)
from rhythm.webinars.models import Webinar


def _when(webinar) -> str:
    local = webinar.local_start
    return f"{local:%A %d %B %Y, %H:%M} {local.tzname()} ({webinar.duration_minutes} minutes)"


def _page(webinar) -> str:
    return settings.SITE_URL + webinar.get_absolute_url()


@subscribe(RegistrationReceived)
def confirmation_link(event: RegistrationReceived) -> None:
    registration, webinar = event.registration, event.registration.webinar
    core_services.enqueue_email(
        # Keyed by the link's hash: registering again sends the new link once.
        key=f"webinar-registration:{registration.pk}:{registration.token_hash[:16]}",
        to=[registration.email],
        subject=f"Confirm your registration: {webinar.title}",
        body_text=(
            f"Hello {registration.name},\n\n"
            f"Please confirm your registration for {webinar.title} on {_when(webinar)}:\n\n"
            f"{event.url}\n\n"
            "Your seat is held once you confirm. The same link lets you cancel.\n"
            "If you did not register, ignore this email: nothing happens.\n"
        ),
    )


@subscribe(RegistrationConfirmed)
def confirmed(event: RegistrationConfirmed) -> None:
    registration, webinar = event.registration, event.registration.webinar
    if event.waitlisted:
        subject = f"You are on the waiting list: {webinar.title}"
        lead = "The event is full; you are on its waiting list and get a seat as one frees up."
    else:
        subject = f"You are registered: {webinar.title}"
        lead = "Your seat is confirmed. We will remind you a day and an hour before."
    core_services.enqueue_email(
        key=f"webinar-confirmed:{registration.pk}:{registration.confirmed_at:%Y%m%d%H%M%S}",
        to=[registration.email],
        subject=subject,
        body_text=(
            f"Hello {registration.name},\n\n{lead}\n\n{webinar.title}, {_when(webinar)}.\n\n"
            f"To cancel: {event.url}\n"
        ),
    )


@subscribe(WebinarChanged)
def tell_registrants_of_a_change(event: WebinarChanged) -> None:
    """A published event's title or time changed: each registrant holding a seat or
    waiting for one reads the new details, once per change."""
    webinar = event.webinar
    changed_at = webinar.updated_at
    seated = webinar.registrations.filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    )
    for registration in seated:
        core_services.enqueue_email(
            key=f"webinar-changed:{registration.pk}:{changed_at:%Y%m%d%H%M%S%f}",
            to=[registration.email],
            subject=f"Changed: {webinar.title}",
            body_text=(
                f"Hello {registration.name},\n\n{webinar.title} has changed. It now takes "
                f"place on {_when(webinar)}.\n\nYour registration stands; we will remind "
                "you a day and an hour before.\n"
            ),
        )


@subscribe(WaitlistPromoted)
def promoted(event: WaitlistPromoted) -> None:
    registration, webinar = event.registration, event.registration.webinar
    core_services.enqueue_email(
        key=f"webinar-promoted:{registration.pk}",
        to=[registration.email],
        subject=f"A seat for you: {webinar.title}",
        body_text=(
            f"Hello {registration.name},\n\nA seat freed up and it is yours: {webinar.title}, "
            f"{_when(webinar)}.\nThe link in your confirmation email still cancels it.\n"
        ),
    )


def _demo_architects() -> list[str]:
    return list(
        User.objects.filter(groups__name=Role.DEMO_ARCHITECT.label, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


@subscribe(EnvironmentRequested)
def tell_demo_architects(event: EnvironmentRequested) -> None:
    request, webinar = event.request, event.request.webinar
    recipients = _demo_architects()
    if not recipients:
        return
    late = (
        f"LATE: filed {request.days_before} days before delivery. Reason: {request.late_reason}\n\n"
        if request.late
        else ""
    )
    core_services.enqueue_email(
        key=f"webinar-environment-requested:{request.pk}",
        to=recipients,
        subject=f"{'Late lab' if request.late else 'Lab'} environment request: {webinar.deck_name}",
        body_text=(
            f"{late}{request.filed_by} asks for the environment of {webinar.title} "
            f"({webinar.region}), {_when(webinar)}, for up to "
            f"{webinar.capacity or 'any number of'} attendees with "
            f"{webinar.access_days} days of access.\n\n"
            f"Content project: {webinar.content_project_url or '—'}\n"
            f"Notes: {request.notes or '—'}\n\n"
            f"The board: {settings.SITE_URL}{reverse('webinars:board')}\n"
        ),
    )


@subscribe(EnvironmentMoved)
def tell_dri_ready(event: EnvironmentMoved) -> None:
    request, webinar = event.request, event.request.webinar
    if event.to_state != RequestStatus.READY or webinar.host is None or not webinar.host.email:
        return
    core_services.enqueue_email(
        key=f"webinar-environment-ready:{request.pk}",
        to=[webinar.host.email],
        subject=f"Lab environment ready: {webinar.deck_name}",
        body_text=(
            f"The environment of {webinar.title} is ready. Its invitation codes are on the "
            f"event's page (the testing code is for your dry run): {_page(webinar)}\n"
        ),
    )


def reminder(registration, webinar, kind: str) -> None:
    """The registrant's reminder, 1 day ("day") or 1 hour ("hour") before."""
    ahead = "tomorrow" if kind == "day" else "in an hour"
    core_services.enqueue_email(
        key=f"webinar-reminder:{kind}:{registration.pk}",
        to=[registration.email],
        subject=f"{'Tomorrow' if kind == 'day' else 'In an hour'}: {webinar.title}",
        body_text=(
            f"Hello {registration.name},\n\n{webinar.title} starts {ahead}: {_when(webinar)}.\n"
            + (
                "Have an account on gitlab.com ready; you redeem your lab code at "
                f"{settings.SITE_URL}{reverse('webinars:redeem', args=[webinar.pk])}\n"
                if webinar.is_lab
                else ""
            )
        ),
    )


def host_reminder(webinar) -> None:
    """The host logs in 10 minutes before the start."""
    if webinar.host is None or not webinar.host.email:
        return
    core_services.enqueue_email(
        key=f"webinar-host-reminder:{webinar.pk}",
        to=[webinar.host.email],
        subject=f"Log in now: {webinar.title} starts in 10 minutes",
        body_text=(
            f"{webinar.title} starts at {_when(webinar)}. Log in now to get set up.\n"
            f"Deck: {webinar.deck_name}\nRun of show: {_page(webinar)}\n"
        ),
    )


def post_event(registration, webinar) -> None:
    """Attendees: the recording and the deck. No-shows: the recording, and sorry."""
    if registration.attended:
        subject = f"Thank you for joining {webinar.title}"
        body = (
            f"Hello {registration.name},\n\nThank you for joining {webinar.title}.\n\n"
            f"The recording: {webinar.recording_url}\nThe slide deck: {webinar.deck_url}\n"
        )
    else:
        subject = f"Sorry we missed you: {webinar.title}"
        body = (
            f"Hello {registration.name},\n\nSorry we missed you at {webinar.title}. "
            f"You can watch the recording here: {webinar.recording_url}\n"
        )
    core_services.enqueue_email(
        key=f"webinar-post-event:{registration.pk}",
        to=[registration.email],
        subject=subject,
        body_text=body,
    )


@subscribe(BugReported)
def warn_the_dris_of_a_severe_bug(event: BugReported) -> None:
    """A severe bug in content an upcoming event uses: its DRI hears of it, once per
    bug and event, in time to work around it."""
    if not event.severe:
        return
    bug, item = event.bug, event.item
    upcoming = (
        Webinar.objects.filter(content_items=item, host__isnull=False, starts_at__gt=timezone.now())
        .filter(status__in=[WebinarStatus.DRAFT, WebinarStatus.PUBLISHED])
        .select_related("host")
        .order_by("starts_at", "id")
    )
    for webinar in upcoming:
        host = webinar.host
        if host is None or not host.email:
            continue
        core_services.enqueue_email(
            key=f"content-severe:{bug.pk}:{webinar.pk}",
            to=[host.email],
            subject=f"Severe bug in the content of {webinar.title}: {bug.title}",
            body_text=(
                f"Hello {host.first_name or host.username},\n\n"
                f"A {bug.get_severity_display().lower()} bug was reported in {item.title},"
                f" which {webinar.title} uses on {_when(webinar)}:\n\n"
                f"{bug.title}\n\n"
                f"The bug: {settings.SITE_URL}{bug.get_absolute_url()}\n"
                f"The event: {_page(webinar)}\n"
            ),
        )
