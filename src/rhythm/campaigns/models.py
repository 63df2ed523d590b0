from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.campaigns import rules
from rhythm.campaigns.choices import CampaignSchedule, CampaignState
from rhythm.core.models import ArchivableModel, TransitionRecord
from rhythm.customers.access import AccountScopedQuerySet
from rhythm.customers.choices import ContactRole
from rhythm.customers.models import money


class Campaign(ArchivableModel):
    """An outreach campaign on health metrics (DESIGN rule 11): a target group by
    segment, region and ARR, conditions on metrics, an email to chosen contacts
    carrying the covering CSE's booking link, a schedule. Sent once per account."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    state = models.CharField(
        max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    segments = models.ManyToManyField("customers.Segment", blank=True, related_name="+")
    regions = models.JSONField(default=list, blank=True, help_text="Empty: every region.")
    arr_min = money("ARR from", null=True, blank=True)
    arr_max = money("ARR up to", null=True, blank=True)
    conditions = models.JSONField(default=dict, blank=True)
    contact_roles = models.JSONField(
        default=list,
        blank=True,
        help_text="The contact roles (customers.ContactRole) written to; empty: every contact.",
    )
    subject = models.CharField(max_length=rules.SUBJECT_LIMIT)
    body = models.TextField()
    schedule = models.CharField(
        max_length=8, choices=CampaignSchedule.choices, default=CampaignSchedule.DAILY
    )
    send_time = models.TimeField(default="09:00", help_text="In the deployment's time zone.")
    send_on = models.DateField(null=True, blank=True, help_text="For a campaign sent once.")
    frequency_cap_days = models.PositiveSmallIntegerField(
        default=rules.FREQUENCY_CAP_DAYS,
        help_text="A contact gets at most one campaign email (of any campaign) in this many days.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[segments])

    class Meta:
        ordering = ["name", "id"]
        permissions = [("approve_campaign", "Can approve a campaign another person wrote")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def state_enum(self) -> CampaignState:
        return CampaignState(self.state)

    @property
    def contact_role_labels(self) -> list[str]:
        return [str(ContactRole(role).label) for role in self.contact_roles]

    @property
    def audience(self) -> rules.Audience:
        audience, _ = rules.parse_audience(self.conditions)
        return audience or rules.Audience()


class CampaignTransition(TransitionRecord):
    """One move of a campaign (approve, activate, pause, back to draft). Append-only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        ordering = ["campaign", "at", "id"]


class CampaignRun(models.Model):
    """One evaluation of a campaign's audience that sent (a dry run writes nothing)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accounts_sent = models.PositiveIntegerField(default=0)
    emails_written = models.PositiveIntegerField(default=0)
    accounts_excluded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign} at {self.started_at:%Y-%m-%d %H:%M}"


class CampaignSend(models.Model):
    """A campaign went to an account: once, ever (the constraint holds it against two
    workers running the same schedule)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sends")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(CampaignRun, on_delete=models.PROTECT, related_name="sends")
    cse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "account"], name="campaign_once_per_account"
            )
        ]
        indexes = [models.Index(fields=["account", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.account}"


class CampaignEmail(models.Model):
    """One contact's email of a send (its words are in the outbox message)."""

    send = models.ForeignKey(CampaignSend, on_delete=models.PROTECT, related_name="emails")
    contact = models.ForeignKey("customers.Contact", on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey("core.OutboundMessage", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    account_path = "send__account"
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["send", "contact"], name="campaign_email_once")
        ]
        # The frequency cap asks "did this contact get any campaign email lately?"
        indexes = [models.Index(fields=["contact", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.send} ({self.contact})"


class Unsubscribe(models.Model):
    """A contact asked for no more campaign emails (the link in every email)."""

    contact = models.OneToOneField(
        "customers.Contact", on_delete=models.PROTECT, related_name="campaign_unsubscribe"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="unsubscribes"
    )
    at = models.DateTimeField(default=timezone.now)

    account_path = "contact__account"
    objects = AccountScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.contact} unsubscribed"


class AccountOptOut(models.Model):
    """An account that gets no campaign at all (the account team's word)."""

    account = models.OneToOneField(
        "customers.Account", on_delete=models.PROTECT, related_name="campaign_opt_out"
    )
    reason = models.CharField(max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = AccountScopedQuerySet.as_manager()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.account} opted out of campaigns"
