from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel
from rhythm.people.choices import Role
from rhythm.people.rules import MANAGES_CSES
from rhythm.people.validators import (
    default_working_days,
    validate_holiday_country,
    validate_holiday_subdivision,
    validate_region,
    validate_regions,
    validate_time_zone,
    validate_working_days,
)


class TeamQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, archived_at__isnull=True)

    def with_role(self, role: Role):
        return self.filter(groups__name=role.label)


class TeamManager(UserManager.from_queryset(TeamQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A team member. Roles are Django groups named after people.choices.Role."""

    title = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=16, default="AMER", validators=[validate_region])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    holiday_country = models.CharField(
        max_length=2,
        blank=True,
        default="US",
        validators=[validate_holiday_country],
        help_text="ISO 3166 country whose public holidays shape this person's business days.",
    )
    holiday_subdivision = models.CharField(max_length=8, blank=True, default="")
    working_days = models.JSONField(
        default=default_working_days,
        validators=[validate_working_days],
        help_text="The days of the week this person works (0 = Monday … 6 = Sunday).",
    )
    weekly_capacity_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("40"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("80"))],
    )
    covered_regions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_regions],
        help_text="Regions whose accounts this person covers.",
    )
    covered_segments = models.ManyToManyField(
        "customers.Segment", blank=True, related_name="covered_by"
    )
    booking_url = models.URLField(
        blank=True, help_text="A personal booking link (Calendly or similar)."
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="Whom this person reports to: told when their SLA clocks breach.",
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TeamManager()  # type: ignore[misc]  # narrows UserManager
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], m2m_fields=[covered_segments]
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = "team member"
        permissions = [("manage_cses", "Can assign CSEs their work and act on it for them")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("people:member", args=[self.pk])

    def covers(self, account) -> bool:
        """Whether the account is in this member's regions and segments (read
        covered_segments with prefetch_related when asking for many)."""
        return account.region in (self.covered_regions or []) and any(
            segment.pk == account.segment_id for segment in self.covered_segments.all()
        )

    def clean(self) -> None:
        super().clean()
        validate_holiday_subdivision(self.holiday_country, self.holiday_subdivision)

    @property
    def roles(self) -> list[Role]:
        labels = {group.name for group in self.groups.all()}
        return [role for role in Role if role.label in labels]

    def has_role(self, role: Role) -> bool:
        return any(r == role for r in self.roles)

    @property
    def manages_cses(self) -> bool:
        return self.has_perm(MANAGES_CSES)


class CompanyHoliday(ArchivableModel):
    """A day the company is closed, beside each country's public holidays: for
    everyone, or for the members of one region."""

    date = models.DateField()
    name = models.CharField(max_length=100)
    region = models.CharField(
        max_length=16,
        blank=True,
        validators=[validate_region],
        help_text="Only this region's members are off; blank for everyone.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "region"],
                condition=models.Q(archived_at__isnull=True),
                name="company_holiday_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %b %Y})"
