from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rhythm.core.models import TimeStampedModel
from rhythm.customers.access import AccountScopedQuerySet
from rhythm.followups.choices import FollowUpStatus


class PausableClock(models.Model):
    """An SLA clock's pause: waiting on the customer, with the reason. Resuming moves
    the due time on by the working time the pause took (followups.rules.resumed_due)."""

    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class FollowUp(PausableClock, TimeStampedModel):
    """The email after a customer call: opened as the call is logged, due on the
    CSE's business-day calendar, sent once to the call's contacts with the AE in copy."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="follow_up"
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="follow_ups"
    )
    cse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    status = models.CharField(
        max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField()
    target_at = models.DateTimeField(help_text="The handbook's aim: 2 business days.")
    due_at = models.DateTimeField(help_text="The limit: 3 business days on the CSE's calendar.")
    summary = models.TextField("summary of key points", blank=True)
    action_items = models.TextField("action items and next steps", blank=True)
    resources = models.TextField("resources and documentation", blank=True)
    invitation = models.TextField("an invitation to ask more", blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_time = models.BooleanField(null=True, blank=True)
    message = models.ForeignKey(
        "core.OutboundMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AccountScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["cse", "status", "due_at"])]

    def __str__(self) -> str:
        return f"Follow-up of {self.meeting}"

    def get_absolute_url(self) -> str:
        return reverse("followups:detail", args=[self.pk])

    @property
    def sent(self) -> bool:
        return self.status == FollowUpStatus.SENT


class FurtherQuestion(PausableClock, TimeStampedModel):
    """A customer's question after a call: it goes to the CSE who held the call,
    whoever entered it, due within 1 business day on that CSE's calendar."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="further_questions"
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="further_questions"
    )
    cse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="further_questions"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="further_questions",
    )
    question = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_time = models.BooleanField(null=True, blank=True)

    objects = AccountScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["cse", "answered_at", "due_at"])]

    def __str__(self) -> str:
        return f"Question after {self.meeting}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
