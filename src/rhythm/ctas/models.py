from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.core.choices import Priority
from rhythm.core.models import ArchivableModel, TimeStampedModel, TransitionRecord
from rhythm.ctas import rules
from rhythm.ctas.choices import CtaSource, CtaStatus, StepCondition, TaskStatus
from rhythm.customers.access import AccountScopedQuerySet


class Playbook(ArchivableModel):
    """An ordered list of task templates, applied to a CTA to create its tasks."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ctas:playbook", args=[self.pk])


class PlaybookStep(ArchivableModel):
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due_offset_days = models.PositiveSmallIntegerField("due after (business days)", default=0)
    condition = models.CharField(
        max_length=32, choices=StepCondition.choices, default=StepCondition.ALWAYS
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["playbook", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "position"],
                condition=models.Q(archived_at__isnull=True),
                name="playbook_step_position",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Cta(TimeStampedModel):
    """A call to action for a CSE. One per CSE-help case, guaranteed by the database."""

    name = models.CharField(max_length=255)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="ctas")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="cta"
    )
    request = models.OneToOneField(
        "engagements.EngagementRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cta",
    )
    type = models.CharField(max_length=100, default=rules.CTA_TYPE)
    reason = models.CharField(max_length=100, default=rules.CTA_REASON)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ctas",
    )
    status = models.CharField(max_length=16, choices=CtaStatus.choices, default=CtaStatus.OPEN)
    due_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=CtaSource.choices, default=CtaSource.REALTIME)
    raised_at = models.DateTimeField(default=timezone.now)
    # Case saved → CTA raised, for the KPIs (the seed's batch took up to four hours).
    latency = models.DurationField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outreach_message = models.ForeignKey(
        "core.OutboundMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AccountScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = "CTA"
        permissions = [("assign_cta", "Can assign a CTA to any CSE")]
        indexes = [
            models.Index(fields=["status", "owner"]),
            models.Index(fields=["account", "-raised_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ctas:detail", args=[self.pk])

    @property
    def status_enum(self) -> CtaStatus:
        return CtaStatus(self.status)

    @property
    def priority_enum(self) -> Priority:
        return Priority(self.priority)


class CtaTask(TimeStampedModel):
    cta = models.ForeignKey(Cta, on_delete=models.PROTECT, related_name="tasks")
    step = models.ForeignKey(
        PlaybookStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.CharField(max_length=300, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    account_path = "cta__account"
    objects = AccountScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["cta", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cta", "position"], name="cta_task_position")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_enum(self) -> TaskStatus:
        return TaskStatus(self.status)


class CtaTransition(TransitionRecord):
    """One move of a CTA (ctas.rules.WORKFLOW), with the owner it left it with.
    Append-only."""

    cta = models.ForeignKey(Cta, on_delete=models.PROTECT, related_name="transitions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["cta", "at", "id"]
