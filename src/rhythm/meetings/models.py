from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel
from rhythm.customers.access import ArchivableAccountScopedQuerySet
from rhythm.meetings import rules
from rhythm.meetings.choices import MeetingKind, MeetingStatus


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
