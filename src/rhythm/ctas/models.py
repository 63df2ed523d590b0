from __future__ import annotations

from datetime import date
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.core.choices import Priority
from rhythm.core.dates import day_start
from rhythm.core.models import ArchivableModel, TimeStampedModel, TransitionRecord
from rhythm.core.rules import Aging, aging_cutoff
from rhythm.ctas import rules
from rhythm.ctas.choices import CASE_SOURCES, CtaSource, CtaStatus, StepCondition, TaskStatus
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


def late_condition(today: date) -> Q:
    """The CTAs rules.cta_aging marks on `today`, as a condition the database asks:
    the same ones, so a list counts and finds them without reading every CTA."""
    norms = settings.RHYTHM_AGING_NORMS
    late = Q(due_date__lt=today)
    norm = norms.get(rules.norm_key(CtaStatus.OPEN))
    if norm is not None:
        late |= Q(status=CtaStatus.OPEN, raised_at__lt=day_start(aging_cutoff(today, norm)))
    norm = norms.get(rules.norm_key(CtaStatus.IN_PROGRESS))
    if norm is not None:
        since = day_start(aging_cutoff(today, norm))
        late |= Q(status=CtaStatus.IN_PROGRESS) & (
            Q(accepted_at__lt=since) | Q(accepted_at__isnull=True, raised_at__lt=since)
        )
    return ~Q(status=CtaStatus.CLOSED) & late


class CtaQuerySet(AccountScopedQuerySet):
    def of_cases(self) -> CtaQuerySet:
        """The CTAs of CS Help cases, not those raised with an engagement request."""
        return self.filter(source__in=CASE_SOURCES)

    def late(self, today: date | None = None) -> CtaQuerySet:
        return self.filter(late_condition(today or timezone.localdate()))

    def outreach_waiting(self) -> CtaQuerySet:
        """Accepted CTAs whose outreach is drafted and not sent (and not opted out)."""
        return self.filter(
            owner__isnull=False,
            case__isnull=False,
            case__opt_out_outreach=False,
            outreach_message__isnull=True,
        ).exclude(status=CtaStatus.CLOSED)


class CtaTaskQuerySet(AccountScopedQuerySet):
    def overdue(self, today: date | None = None) -> CtaTaskQuerySet:
        """Open tasks past their due date (rules.task_aging)."""
        return self.filter(status=TaskStatus.OPEN, due_date__lt=today or timezone.localdate())


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

    objects = CtaQuerySet.as_manager()
    # History is read by the CTA's id and by date, never by a relation: no index on
    # its copies of the foreign keys, which every intake and reconciliation updates.
    history = HistoricalRecords(
        no_db_index=["account", "case", "request", "playbook", "owner", "outreach_message"]
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = "CTA"
        permissions = [("assign_cta", "Can assign a CTA to any CSE")]
        indexes = [
            # A board cell per CSE (a lane's column, newest change first); by status
            # and owner alone, who holds what.
            models.Index(fields=["status", "owner", "-updated_at", "-id"]),
            models.Index(fields=["account", "-raised_at"]),
            # The lists' order (and the late lists', read forwards), a board column's,
            # and a CSE's open CTAs (their home, the capacity's count).
            models.Index(fields=["-raised_at", "-id"]),
            models.Index(fields=["status", "-updated_at", "-id"]),
            # The work still open, which most lists and counts ask for: most CTAs are
            # closed, and these skip them. The condition is the lists' own term
            # (late_condition, `exclude(status=CLOSED)`), so that SQLite uses them.
            models.Index(
                fields=["raised_at", "id"], condition=~Q(status="closed"), name="cta_open_raised"
            ),
            models.Index(fields=["owner"], condition=~Q(status="closed"), name="cta_open_owner"),
        ]
        constraints = [
            # Lists tell a request's CTA by its source: the two must agree.
            models.CheckConstraint(
                condition=(Q(source=CtaSource.REQUEST) & Q(request__isnull=False))
                | (~Q(source=CtaSource.REQUEST) & Q(request__isnull=True)),
                name="cta_source_request",
                violation_error_message="A CTA raised with an engagement request names it,"
                " and only such a CTA does.",
            )
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

    @cached_property
    def aging(self) -> Aging:
        """Overdue or aging today (rules.cta_aging): the mark lists show."""
        return rules.cta_aging(
            status=self.status,
            raised_on=timezone.localdate(self.raised_at),
            accepted_on=timezone.localdate(self.accepted_at) if self.accepted_at else None,
            due=self.due_date,
            today=timezone.localdate(),
            norms=settings.RHYTHM_AGING_NORMS,
        )


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
    objects = CtaTaskQuerySet.as_manager()
    # As the CTA's: seven history rows an intake, read by id and date only.
    history = HistoricalRecords(no_db_index=["cta", "step", "completed_by"])

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

    @cached_property
    def aging(self) -> Aging:
        """Overdue today, if open past its due date (rules.task_aging)."""
        return rules.task_aging(status=self.status, due=self.due_date, today=timezone.localdate())


class CtaTransition(TransitionRecord):
    """One move of a CTA (ctas.rules.WORKFLOW), with the owner it left it with.
    Append-only."""

    cta = models.ForeignKey(Cta, on_delete=models.PROTECT, related_name="transitions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["cta", "at", "id"]
