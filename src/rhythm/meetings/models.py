from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel, TimeStampedModel
from rhythm.customers.access import AccountScopedQuerySet, ArchivableAccountScopedQuerySet
from rhythm.meetings import rules
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.people.validators import validate_time_zone


class Meeting(ArchivableModel):
    """A customer meeting, logged on the account timeline as a "CSE Engagement"."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="meetings"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=MeetingKind.choices)
    timeline_type = models.CharField(max_length=50, default=rules.TIMELINE_TYPE)
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    # The zone the time was given in: the invitation and the page say it in it.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    duration_minutes = models.PositiveSmallIntegerField(default=rules.DEFAULT_DURATION)
    # What the meeting is for: a CTA (a CS Help case's), a complex engagement
    # request, or neither (a spot engagement from office hours).
    cta = models.ForeignKey(
        "ctas.Cta", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    request = models.ForeignKey(
        "engagements.EngagementRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    # The account owner, an optional attendee the CSE tells about the call.
    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ae_meetings",
        verbose_name="AE",
    )
    video_url = models.URLField("video link", blank=True)
    notes_url = models.URLField("notes document", blank=True)
    deck_url = models.URLField("slide deck", blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    cse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cse_meetings"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings", blank=True
    )
    contacts = models.ManyToManyField("customers.Contact", related_name="meetings", blank=True)
    notes = models.TextField(blank=True)
    # The CSM who set the call up with the customer (a spot engagement's asker):
    # they may set and move its time, as the CSE may.
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organised_meetings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords(m2m_fields=[participants, contacts])

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["account", "-scheduled_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def status_enum(self) -> MeetingStatus:
        return MeetingStatus(self.status)

    @property
    def ends_at(self):
        if self.scheduled_at is None:
            return None
        return rules.ends_at(self.scheduled_at, self.duration_minutes)


class ChecklistTemplateItem(ArchivableModel):
    """One step of the handbook's meeting workflow, copied into every new meeting's
    preparation checklist. An admin edits them; meetings booked before keep theirs."""

    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due_before_minutes = models.IntegerField(
        "due before the call (minutes)",
        default=0,
        help_text="How long before the call starts it is due; 0 at the start.",
    )
    shows_account_facts = models.BooleanField(
        default=False,
        help_text="Show the account's licences, employees, industry and contract beside it.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "checklist template item"

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ChecklistItem(TimeStampedModel):
    """One item of a meeting's preparation checklist, due relative to the call."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="checklist")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due_before_minutes = models.IntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    shows_account_facts = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    account_path = "meeting__account"
    objects = AccountScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="checklist_item_position")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def late(self) -> bool:
        """Not done and past its due time: the page marks it."""
        return not self.done and self.due_at is not None and self.due_at < timezone.now()


class CalendarFeed(TimeStampedModel):
    """A CSE's iCal feed: its address carries a signature of this row's secret, so
    resetting the secret revokes every address handed out before."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
