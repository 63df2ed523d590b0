from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.content.choices import BugPlace, BugStatus, ContentKind, ContentStatus, Severity
from rhythm.core.models import TimeStampedModel, TransitionRecord


class ContentItem(TimeStampedModel):
    """A recording, lab template, master deck or exercise project the team's events
    use: it belongs to no account, and everyone signed in sees it. Never deleted:
    retired content keeps its bugs and the events that used it."""

    kind = models.CharField(max_length=20, choices=ContentKind.choices)
    title = models.CharField(max_length=200)
    link = models.URLField(
        max_length=500, help_text="Where it lives: the deck, the recording, the project."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="content_items"
    )
    status = models.CharField(
        max_length=12, choices=ContentStatus.choices, default=ContentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content:item", args=[self.pk])

    @property
    def status_enum(self) -> ContentStatus:
        return ContentStatus(self.status)


class GuidelineCheck(models.Model):
    """One webinar guideline of an item (content.rules.GUIDELINES), ticked or not."""

    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="checks")
    code = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="content_guideline_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.code}"

    @property
    def done(self) -> bool:
        return self.done_at is not None


class ContentTransition(TransitionRecord):
    """One move of a content item (content.rules.CONTENT_WORKFLOW). Append-only."""

    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        ordering = ["item", "at", "id"]


class Bug(TimeStampedModel):
    """A problem someone found in a content item, with the bug template's fields; it
    waits in the owner's queue until closed."""

    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="bugs")
    title = models.CharField("what is wrong", max_length=200)
    place = models.CharField("where", max_length=16, choices=BugPlace.choices)
    location = models.CharField(
        "which slide or step",
        max_length=200,
        help_text="Such as 'Slide 14' or 'Exercise 3, step 2'.",
    )
    expected = models.TextField("what you expected")
    actual = models.TextField("what happened instead")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    screenshot_url = models.URLField("screenshot link", max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=BugStatus.choices, default=BugStatus.REPORTED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_bugs"
    )
    # The item's owner when it was reported: the queue it landed in.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bug_queue"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["item", "status"]),
        ]

    def __str__(self) -> str:
        return f"Bug #{self.pk}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("content:bug", args=[self.pk])

    @property
    def status_enum(self) -> BugStatus:
        return BugStatus(self.status)

    @property
    def severity_enum(self) -> Severity:
        return Severity(self.severity)

    @property
    def is_open(self) -> bool:
        return self.status != BugStatus.CLOSED


class BugTransition(TransitionRecord):
    """One move of a bug (content.rules.BUG_WORKFLOW). Append-only."""

    bug = models.ForeignKey(Bug, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        ordering = ["bug", "at", "id"]
