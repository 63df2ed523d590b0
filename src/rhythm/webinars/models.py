"""Webinars and hands-on labs: the events, their lab templates, the DRIs and helpers,
registrations (double opt-in, waiting list), the lab environment request with its
invitation codes, redemptions and their access windows, and the host's checklist.

Events belong to no account: the public comes to them. Who sees what is the role's
permission (apps.py); the codes are shown only to demo architects, the event's DRI
and program managers (services.may_see_codes)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.core.models import TimeStampedModel, TransitionRecord
from rhythm.webinars import rules
from rhythm.webinars.choices import (
    AccessDays,
    Kind,
    Region,
    RegistrationStatus,
    RequestStatus,
    WebinarStatus,
)


class LabTemplate(TimeStampedModel):
    """A lab delivered month after month: its master deck, content project, access
    window and exercises."""

    name = models.CharField(max_length=120, unique=True)
    master_deck_url = models.URLField("Master deck", blank=True)
    content_project_url = models.URLField("Content project", blank=True)
    access_days = models.PositiveSmallIntegerField(choices=AccessDays.choices, default=2)
    exercises = models.TextField(
        blank=True, help_text="One exercise a line, as the attendees work through them."
    )
    instructions = models.TextField(
        blank=True, help_text="What an attendee reads once they redeem the code."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Webinar(TimeStampedModel):
    """One event of the monthly calendar: a webinar or a hands-on lab."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WEBINAR)
    abstract = models.TextField(blank=True)
    region = models.CharField(max_length=4, choices=Region.choices)
    starts_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    lab_template = models.ForeignKey(
        LabTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    content_project_url = models.URLField("Content project", blank=True)
    access_days = models.PositiveSmallIntegerField(
        choices=AccessDays.choices, null=True, blank=True, help_text="Labs: the template's."
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_webinars",
        verbose_name="DRI (host)",
    )
    helpers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="helped_webinars"
    )
    status = models.CharField(
        max_length=10, choices=WebinarStatus.choices, default=WebinarStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recording_url = models.URLField("Recording", blank=True)
    deck_url = models.URLField("Deck", blank=True)
    post_event_sent_at = models.DateTimeField(null=True, blank=True)
    host_reminded_at = models.DateTimeField(null=True, blank=True)
    # The recordings, master decks and exercise projects it uses: their open bugs show
    # on its page, and a severe one reported tells its DRI (notifications).
    content_items = models.ManyToManyField(
        "content.ContentItem", related_name="webinars", blank=True, verbose_name="Content used"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        permissions = [
            ("add_signup", "Can sign up as an event's DRI or Q&A helper"),
            ("view_invitation_codes", "Can see a lab's invitation codes"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("webinars:detail", args=[self.pk])

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)

    @property
    def status_enum(self) -> WebinarStatus:
        return WebinarStatus(self.status)

    @property
    def is_lab(self) -> bool:
        return self.kind == Kind.LAB

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_when(self) -> str:
        """The start in the event's own zone, as its public pages show it. Formatted
        here: the `date` filter would move it to the viewer's zone first."""
        local = self.local_start
        return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"

    @property
    def day(self):
        """The delivery day, in the event's own zone."""
        return self.local_start.date()

    @property
    def deck_name(self) -> str:
        name = self.lab_template.name if self.lab_template is not None else self.title
        return rules.deck_name(name, self.region, self.day)


class WebinarTransition(TransitionRecord):
    subject = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="transitions")


class Registration(TimeStampedModel):
    """A visitor's registration, confirmed through the emailed link (double opt-in).

    The link's token is 32 random bytes; only its SHA-256 is stored (as surveys do)."""

    webinar = models.ForeignKey(Webinar, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    company = models.CharField(max_length=120)
    consent_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The waiting list's order: when the seat was asked for (the confirmation).
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    day_reminder_at = models.DateTimeField(null=True, blank=True)
    hour_reminder_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(default=False)
    post_event_sent_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["webinar", "email"], name="registration_once"),
        ]
        indexes = [models.Index(fields=["webinar", "status"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> for {self.webinar_id}"

    @property
    def status_enum(self) -> RegistrationStatus:
        return RegistrationStatus(self.status)


class EnvironmentRequest(TimeStampedModel):
    """The DRI's request for a lab's environment, worked by the demo architects."""

    webinar = models.OneToOneField(
        Webinar, on_delete=models.PROTECT, related_name="environment_request"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    days_before = models.SmallIntegerField()
    late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The pair of invitation codes: only demo architects, the DRI and program
    # managers see them (services.may_see_codes); the history keeps no copy.
    production_code = models.CharField(max_length=64, blank=True)
    testing_code = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Its mirror on GitLab, when the integration is configured (webinars.gitlab).
    gitlab_issue_url = models.URLField("GitLab issue", blank=True)

    history = HistoricalRecords(excluded_fields=["production_code", "testing_code"])

    class Meta:
        ordering = ["webinar__starts_at", "id"]

    def __str__(self) -> str:
        return f"Environment for {self.webinar}"

    @property
    def status_enum(self) -> RequestStatus:
        return RequestStatus(self.status)


class RequestTransition(TransitionRecord):
    subject = models.ForeignKey(
        EnvironmentRequest, on_delete=models.CASCADE, related_name="transitions"
    )


class Redemption(models.Model):
    """A registrant redeemed the lab's production code: who, when, and their access
    window, which the expiry task ends on time."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="redemption"
    )
    webinar = models.ForeignKey(Webinar, on_delete=models.PROTECT, related_name="redemptions")
    redeemed_at = models.DateTimeField()
    access_ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["redeemed_at", "id"]
        indexes = [models.Index(fields=["ended_at", "access_ends_at"])]

    def __str__(self) -> str:
        return f"{self.registration.email} until {self.access_ends_at:%Y-%m-%d %H:%M}"


class ChecklistItem(models.Model):
    """One step of a lab's run of show (rules.checklist), due relative to the start."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=32)
    title = models.CharField(max_length=255)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["webinar", "key"], name="checklist_step_once")
        ]

    def __str__(self) -> str:
        return self.title
