from django.conf import settings
from django.db import models
from django.utils import timezone

from rhythm.core import registry
from rhythm.core.registry import TimelineKind
from rhythm.customers.access import AccountScopedQuerySet


class TimelineEntry(models.Model):
    """One line of an account's timeline. Written by the timeline's subscriber to
    domain events, in the transaction of the change, so the timeline is one indexed
    query however many kinds of things feed it. Append-only: entries are hidden
    (archived), never edited."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="timeline"
    )
    # The kinds are declared by the apps that write them (core.registry): a new
    # kind needs no migration.
    kind = models.CharField(max_length=16, choices=registry.timeline_kind_choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Where the entry links to, e.g. "/cases/12/"; built by the writer.
    link = models.CharField(max_length=200, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_at", "-id"])]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return self.title

    @property
    def kind_info(self) -> TimelineKind:
        kinds = registry.timeline_kinds()
        return kinds.get(self.kind) or TimelineKind(self.kind, self.kind)
