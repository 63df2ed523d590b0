from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.community.choices import CommunityEventKind, Contribution
from rhythm.core.models import ArchivableModel
from rhythm.customers.access import ArchivableAccountScopedQuerySet


class CommunityEvent(ArchivableModel):
    """A conference, meetup or hackathon of a customer's developer community where
    CSEs contributed a talk, a workshop or a booth. Seen by whoever sees the account."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="community_events"
    )
    kind = models.CharField(max_length=12, choices=CommunityEventKind.choices)
    name = models.CharField(max_length=200)
    date = models.DateField()
    contribution = models.CharField(max_length=12, choices=Contribution.choices)
    details = models.TextField(
        "what was contributed", blank=True, help_text="The talk's title, the workshop's topic."
    )
    outcome = models.TextField(blank=True, help_text="What came of it: leads, adoption, feedback.")
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="community_events", verbose_name="contributing CSEs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords(m2m_fields=[contributors])

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["account", "date"]), models.Index(fields=["date", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse("community:edit", args=[self.pk])
