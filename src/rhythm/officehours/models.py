from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel
from rhythm.customers.access import ArchivableAccountScopedQuerySet
from rhythm.officehours.choices import QuestionStatus, Weekday


class OfficeHourSession(ArchivableModel):
    """A CSE's weekly office-hour slot, where CSMs bring spot questions."""

    cse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="office_hours"
    )
    title = models.CharField(max_length=200, default="CSE office hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="In the CSE's own time zone.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    recurring = models.BooleanField(default=True, help_text="Every week on this day.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.title} — {self.get_weekday_display()} {self.start_time:%H:%M} ({self.cse})"


class Question(ArchivableModel):
    """A question a CSM brings to office hours, with its context."""

    session = models.ForeignKey(
        OfficeHourSession, on_delete=models.PROTECT, related_name="questions"
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="office_hour_questions"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="office_hour_questions"
    )
    topic = models.CharField(max_length=190)
    context = models.TextField()
    status = models.CharField(
        max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    meeting = models.OneToOneField(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_hour_question",
    )

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("officehours:question", args=[self.pk])

    @property
    def status_enum(self) -> QuestionStatus:
        return QuestionStatus(self.status)
