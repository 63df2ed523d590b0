from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel, ArchivableQuerySet
from rhythm.customers.access import ArchivableAccountScopedQuerySet, account_scope
from rhythm.customers.choices import ContactRole, HealthStatus, OpportunityStage
from rhythm.people.validators import validate_region

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def money(verbose_name: str | None = None, **kwargs) -> models.DecimalField:
    """Money is a Decimal with cents, never negative."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=NON_NEGATIVE, **kwargs
    )


class Segment(ArchivableModel):
    """A band of accounts by ARR; escalations compare ARR with the ceiling."""

    name = models.CharField(max_length=100, unique=True)
    arr_floor = money()
    arr_ceiling = money()
    eligible_for_cse = models.BooleanField(
        "eligible for CSE",
        default=True,
        help_text="Whether accounts in this segment qualify for CSE engagements.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["arr_floor", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(arr_ceiling__gte=models.F("arr_floor")),
                name="segment_ceiling_not_below_floor",
                violation_error_message="The ARR ceiling may not be below the floor.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.arr_floor is not None
            and self.arr_ceiling is not None
            and self.arr_ceiling < self.arr_floor
        ):
            raise ValidationError(
                {
                    "arr_ceiling": ValidationError(
                        "The ARR ceiling may not be below the floor (%(floor)s).",
                        code="min_value",
                        params={"floor": self.arr_floor},
                    )
                }
            )


class AccountQuerySet(ArchivableQuerySet):
    def visible_to(self, user) -> AccountQuerySet:
        """The accounts a person may see (customers.access)."""
        scope = account_scope(user, "")
        return self if scope is None else self.filter(scope)


class Account(ArchivableModel):
    name = models.CharField(max_length=200)
    crm_id = models.CharField("CRM id", max_length=64, unique=True)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="accounts")
    region = models.CharField(max_length=16, validators=[validate_region])
    arr = money("ARR")
    lam = money("LAM", help_text="Landed addressable market.")
    renewal_date = models.DateField(null=True, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    licenses_purchased = models.PositiveIntegerField(default=0)
    licenses_used = models.PositiveIntegerField(default=0)
    industry = models.CharField(max_length=100, blank=True)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_accounts",
    )
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_accounts",
        verbose_name="CSM",
    )

    objects = AccountQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        permissions = [("view_all_accounts", "Can see every account")]
        indexes = [
            models.Index(fields=["segment", "region"]),
            models.Index(fields=["renewal_date"]),
            # The account list's orders: by name (its default), by ARR, last changed.
            models.Index(fields=["name", "id"]),
            models.Index(fields=["arr", "name", "id"]),
            models.Index(fields=["-updated_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:account-detail", args=[self.pk])

    @property
    def license_utilization(self) -> Decimal | None:
        if not self.licenses_purchased:
            return None
        return (Decimal(self.licenses_used) * 100 / self.licenses_purchased).quantize(
            Decimal("0.1")
        )


class Contact(ArchivableModel):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    title = models.CharField(max_length=200, blank=True)
    role = models.CharField(
        max_length=32,
        choices=ContactRole.choices,
        blank=True,
        default=ContactRole.UNSPECIFIED,
        help_text="The part they play for the account team; campaigns address roles.",
    )
    phone = models.CharField(max_length=50, blank=True)

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Opportunity(ArchivableModel):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="opportunities")
    crm_id = models.CharField("CRM id", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    stage = models.CharField(
        max_length=32, choices=OpportunityStage.choices, default=OpportunityStage.QUALIFICATION
    )
    amount = money(default=Decimal("0"))
    close_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    is_open = models.BooleanField(default=True)

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["close_date", "id"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A closed stage closes the opportunity; the flag stays queryable on its own.
        if OpportunityStage(self.stage).is_closed:
            self.is_open = False
        super().save(*args, **kwargs)


class SuccessPlan(ArchivableModel):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="success_plans")
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Objective(ArchivableModel):
    success_plan = models.ForeignKey(
        SuccessPlan, on_delete=models.PROTECT, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=8, choices=HealthStatus.choices, default=HealthStatus.GREEN
    )
    progress = models.PositiveSmallIntegerField(
        "progress %", default=0, validators=[MaxValueValidator(100)]
    )
    due_date = models.DateField(null=True, blank=True)

    account_path = "success_plan__account"

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="objective_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_enum(self) -> HealthStatus:
        return HealthStatus(self.status)
