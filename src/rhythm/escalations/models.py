from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.core.models import TimeStampedModel, TransitionRecord
from rhythm.customers.access import AccountScopedQuerySet
from rhythm.escalations import rules
from rhythm.escalations.choices import (
    EscalationKind,
    EscalationRisk,
    EscalationState,
    VerdictOutcome,
)


class EscalationQuerySet(AccountScopedQuerySet):
    def open(self) -> "EscalationQuerySet":
        """Raised, approved or active: the account is in an open escalation (a
        campaign leaves it alone). Declined, resolved and closed ones are not open."""
        return self.filter(state__in=rules.OPEN_STATES)


class Escalation(TimeStampedModel):
    """A support or account escalation (DESIGN rule 10), raised from an escalation
    CS Help case or on an account, with the verdict it was given on the day."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="escalations"
    )
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalation",
        help_text="The escalation CS Help case it was raised from, if any.",
    )
    kind = models.CharField(max_length=16, choices=EscalationKind.choices)
    state = models.CharField(
        max_length=16, choices=EscalationState.choices, default=EscalationState.RAISED
    )
    # The account's segment and region when it was raised: the list filters by them
    # and the approval form counts the segment's escalations this quarter.
    segment = models.ForeignKey(
        "customers.Segment", on_delete=models.PROTECT, related_name="escalations"
    )
    region = models.CharField(max_length=16)
    ticket_reference = models.CharField(max_length=rules.TICKET_REFERENCE_MAX_LENGTH, blank=True)
    ticket_url = models.URLField("ticket URL", max_length=rules.URL_MAX_LENGTH, blank=True)
    bug_url = models.URLField("product bug", max_length=rules.URL_MAX_LENGTH, blank=True)
    feature_request_url = models.URLField(
        "feature request", max_length=rules.URL_MAX_LENGTH, blank=True
    )
    risk = models.CharField(max_length=24, choices=EscalationRisk.choices, blank=True)
    impact = models.TextField("impact on the customer")
    # The verdict as given: its inputs, thresholds and reasons (rules.Verdict.as_json),
    # never recomputed, so a change of the thresholds leaves it as it was.
    verdict = models.CharField(max_length=20, choices=VerdictOutcome.choices)
    verdict_detail = models.JSONField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raised_escalations"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_escalations",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    justification = models.TextField(
        "why approved against the verdict",
        blank=True,
        help_text="Written when a manager approves what the verdict says does not qualify.",
    )
    state_changed_at = models.DateTimeField()
    # The client's Idempotency-Key: a retried POST returns the first escalation.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = EscalationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["idempotency_key"])

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("decide_escalation", "Can approve or decline an escalation")]
        indexes = [
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["state", "-created_at"]),
            models.Index(fields=["segment", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Escalation #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("escalations:detail", args=[self.pk])

    @property
    def kind_enum(self) -> EscalationKind:
        return EscalationKind(self.kind)

    @property
    def state_enum(self) -> EscalationState:
        return EscalationState(self.state)

    @property
    def verdict_enum(self) -> VerdictOutcome:
        return VerdictOutcome(self.verdict)

    @property
    def qualifies(self) -> bool:
        return self.verdict == VerdictOutcome.QUALIFIES

    @property
    def given_verdict(self) -> rules.Verdict:
        return rules.Verdict.from_json(self.verdict_detail["verdict"])

    @property
    def given_thresholds(self) -> rules.Thresholds:
        return rules.Thresholds.from_json(self.verdict_detail["thresholds"])

    @property
    def given_inputs(self) -> rules.Inputs:
        return rules.Inputs.from_json(self.verdict_detail["inputs"])

    @property
    def is_open(self) -> bool:
        return self.state in rules.OPEN_STATES


class EscalationTransition(TransitionRecord):
    """One move of an escalation (rules.WORKFLOW): who, when, from, to, why. Append-only."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="transitions")
    justification = models.TextField(blank=True)

    class Meta:
        ordering = ["escalation", "at", "id"]

    @property
    def from_label(self) -> str:
        return EscalationState(self.from_state).label if self.from_state else "—"

    @property
    def to_label(self) -> str:
        return EscalationState(self.to_state).label
