from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.core.dates import day_start
from rhythm.core.models import ArchivableModel, TransitionRecord
from rhythm.core.rules import Aging, aging_cutoff
from rhythm.customers.access import ArchivableAccountScopedQuerySet
from rhythm.engagements import rules
from rhythm.engagements.choices import EffortKind, RejectionReason, RequestState


def late_condition(today: date) -> Q:
    """The requests rules.request_aging marks on `today`, as a condition the database
    asks: the same ones, so a list counts and finds them without reading them all."""
    norms = settings.RHYTHM_AGING_NORMS
    late = Q(state__in=[RequestState.REVIEW, RequestState.CLARIFICATION]) & Q(
        target_start_date__lt=today
    )
    for state in rules.WAITING:
        norm = norms.get(rules.norm_key(state))
        if norm is not None:
            late |= Q(state=state, state_changed_at__lt=day_start(aging_cutoff(today, norm)))
    # Started and past its planned end: its length is in weeks, one condition per
    # length (no portable SQL adds weeks from a column to a date).
    ended = Q(effort_kind=EffortKind.ONE_OFF) | Q(duration_weeks__isnull=True)
    ended &= Q(target_start_date__lt=today - timedelta(weeks=1))
    for weeks in range(1, rules.MAX_DURATION_WEEKS + 1):
        ended |= Q(
            effort_kind=EffortKind.DURATION,
            duration_weeks=weeks,
            target_start_date__lt=today - timedelta(weeks=weeks),
        )
    return late | (Q(state=RequestState.STARTED) & ended)


class RequestQuerySet(ArchivableAccountScopedQuerySet):
    def late(self, today: date | None = None) -> RequestQuerySet:
        # A closed request is never late; said outright, it is the condition of the
        # partial index the late requests are read down (oldest in their state first).
        return self.exclude(state=RequestState.CLOSED).filter(
            late_condition(today or timezone.localdate())
        )


class EngagementRequest(ArchivableModel):
    """A complex engagement request, raised by a CSM and reviewed by a CSE manager."""

    title = models.CharField(max_length=200)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="engagement_requests"
    )
    objective = models.ForeignKey(
        "customers.Objective",
        on_delete=models.PROTECT,
        related_name="engagement_requests",
        help_text="The success-plan objective this engagement serves.",
    )
    offering = models.ForeignKey(
        "catalog.Offering", on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    effort_kind = models.CharField(max_length=16, choices=EffortKind.choices)
    duration_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_DURATION_WEEKS)],
    )
    hours_per_week = models.DecimalField(
        "effort (hours per week)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("4"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("40"))],
    )
    target_start_date = models.DateField()
    outcome = models.TextField("outcome")
    metrics = models.JSONField(default=list, help_text="Success metrics agreed with the customer.")
    deliverables = models.JSONField(
        default=list, help_text="Deliverables agreed with the customer."
    )
    state = models.CharField(
        max_length=16, choices=RequestState.choices, default=RequestState.REVIEW
    )
    duplicate_reason = models.TextField(
        "why it was filed anyway",
        blank=True,
        help_text="Given when another request on the same objective was still open "
        "(engagements.rules.duplicate_requests).",
    )
    state_changed_at = models.DateTimeField(default=timezone.now)
    # Marking complete asks which doc or guideline the engagement updated, or why none
    # (the KPI "docs/guidelines updated per engagement" counts these).
    doc_url = models.URLField(
        "doc or guideline updated", max_length=rules.DOC_URL_MAX_LENGTH, blank=True
    )
    doc_none_reason = models.TextField("why no doc was updated", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagement_requests"
    )
    assigned_cse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )

    objects = RequestQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_engagementrequest", "Can review, qualify and assign requests")]
        indexes = [
            # A board cell per CSE (a lane's column, newest change first); by state
            # and CSE alone, who runs what.
            models.Index(fields=["state", "assigned_cse", "-updated_at", "-id"]),
            # An account's requests in the list's order (its tab, its HTMX list).
            models.Index(fields=["account", "-created_at", "-id"]),
            # The request list's order, and a board column's.
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["state", "-updated_at", "-id"]),
            # The late requests, oldest in their state first (home): only the open
            # ones, which late() names in the same words so that the index serves it.
            models.Index(
                fields=["state_changed_at", "id"],
                condition=~Q(state=RequestState.CLOSED),
                name="request_open_by_state_change",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagements:detail", args=[self.pk])

    @property
    def state_enum(self) -> RequestState:
        return RequestState(self.state)

    @cached_property
    def aging(self) -> Aging:
        """Overdue or aging today (rules.request_aging): the mark lists show."""
        return rules.request_aging(
            state=self.state,
            entered=timezone.localdate(self.state_changed_at),
            target_start=self.target_start_date,
            effort_kind=self.effort_kind,
            duration_weeks=self.duration_weeks,
            today=timezone.localdate(),
            norms=settings.RHYTHM_AGING_NORMS,
        )


class Stakeholder(models.Model):
    request = models.ForeignKey(
        EngagementRequest, on_delete=models.PROTECT, related_name="stakeholders"
    )
    name = models.CharField(max_length=200)
    role_title = models.CharField("role/title", max_length=200)
    responsibilities = models.TextField()
    email = models.EmailField(blank=True)
    # The account's contact this stakeholder is (given, or found by the email): the
    # NPS survey goes to that row, not to whoever shares the name.
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stakeholder_roles",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role_title})"


class Transition(TransitionRecord):
    """One move through the review workflow (core.workflow): who, when, from, to and
    why, and what qualifying it decided. Append-only."""

    request = models.ForeignKey(
        EngagementRequest, on_delete=models.PROTECT, related_name="transitions"
    )
    # The review's states, and always an actor: each move is someone's decision.
    from_state = models.CharField(max_length=16, choices=RequestState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=RequestState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(max_length=32, choices=RejectionReason.choices, blank=True)
    assigned_cse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    over_capacity = models.BooleanField(
        default=False, help_text="The manager confirmed an assignment beyond capacity."
    )
    override_reason = models.TextField(
        blank=True, help_text="Why the manager chose someone other than the top suggestion."
    )

    class Meta:
        ordering = ["request", "at", "id"]
        indexes = [
            models.Index(fields=["to_state", "at"]),
            # A request's moves in order: the next move after one (how long a request
            # stayed in a state, the KPIs' time in each review state).
            models.Index(fields=["request", "at", "id"]),
        ]


class DeliverableOutcome(models.Model):
    """Whether one agreed deliverable was achieved, and within the agreed timeline,
    as the CSE said when marking the engagement complete (the KPI "% of deliverables
    achieved within the agreed timeline" counts these). Append-only."""

    request = models.ForeignKey(
        EngagementRequest, on_delete=models.PROTECT, related_name="deliverable_outcomes"
    )
    transition = models.ForeignKey(
        Transition, on_delete=models.PROTECT, related_name="deliverable_outcomes"
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    achieved = models.BooleanField()
    on_time = models.BooleanField(help_text="Achieved within the agreed timeline.")

    class Meta:
        ordering = ["request", "transition", "position"]

    def __str__(self) -> str:
        return f"{self.text}: {'achieved' if self.achieved else 'not achieved'}"
