from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.cases.choices import CaseKind, CaseStatus, Priority
from rhythm.cases.rules import CHALLENGES_MAX_LENGTH
from rhythm.core.models import ArchivableModel, TransitionRecord
from rhythm.customers.access import ArchivableAccountScopedQuerySet


class Case(ArchivableModel):
    """A CS Help case, raised by an account owner on an opportunity (DESIGN.md rule 2)."""

    kind = models.CharField(max_length=16, choices=CaseKind.choices)
    opportunity = models.ForeignKey(
        "customers.Opportunity", on_delete=models.PROTECT, related_name="cases"
    )
    # Copied from the opportunity so the account's case list is one indexed query.
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="cases")
    offering = models.ForeignKey(
        "catalog.Offering", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    contact = models.ForeignKey("customers.Contact", on_delete=models.PROTECT, related_name="cases")
    challenges = models.TextField(
        "Challenges/Pain Points",
        help_text=f"What the customer needs; at most {CHALLENGES_MAX_LENGTH} characters.",
    )
    opt_out_outreach = models.BooleanField(
        "Do not contact the customer automatically",
        default=False,
        help_text=(
            "No outreach email is drafted for the CSE who accepts the CTA, and its "
            "“Reach out” task is skipped: the account owner arranges the first contact."
        ),
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opened_cases"
    )
    duplicate_reason = models.TextField(
        "why it was opened anyway",
        blank=True,
        help_text="Given when another case for the same offering was still open on "
        "the opportunity (cases.rules.duplicate_cases).",
    )
    # The client's Idempotency-Key: a retried POST returns the first case.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    # History is read by the case's id and by date, never by a relation: no index on
    # its copies of the foreign keys, which every intake would otherwise update.
    history = HistoricalRecords(
        excluded_fields=["idempotency_key"],
        no_db_index=["opportunity", "account", "offering", "contact", "opened_by"],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at"]),
            # The case list's order: its first page is read off the index, not sorted.
            models.Index(fields=["-created_at", "-id"]),
            # An opportunity's cases (its page's list), in the list's order.
            models.Index(fields=["opportunity", "-created_at", "-id"]),
            models.Index(fields=["status", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=CaseKind.CSE_HELP) | Q(offering__isnull=False),
                name="case_cse_help_has_offering",
                violation_error_message="A CSE help case needs an offering.",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.account_id and self.account.name}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def kind_enum(self) -> CaseKind:
        return CaseKind(self.kind)

    @property
    def status_enum(self) -> CaseStatus:
        return CaseStatus(self.status)

    @property
    def priority_enum(self) -> Priority:
        return Priority(self.priority)


class CaseTransition(TransitionRecord):
    """One move of a case (cases.rules.WORKFLOW), as its CTA moved. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        ordering = ["case", "at", "id"]
