from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rhythm.core.models import ArchivableModel
from rhythm.customers.access import AccountScopedQuerySet, ArchivableAccountScopedQuerySet
from rhythm.surveys import rules
from rhythm.surveys.choices import SurveyKind, SurveyState


class Survey(ArchivableModel):
    """A CSAT or NPS question sent to one person about one thing the team did (a
    follow-up email, a complex engagement, a webinar), answered once through the link
    in its email.

    The person is a customer's contact (then the survey is the account's, and counts
    on it), or, for a webinar's attendee who is no contact, an email address alone
    (no account: only those who see every account see it). Either way the name and
    address it went to are kept, as the person read them.

    The link's secret is a random 256-bit token; only its SHA-256 is stored, so the
    table alone opens no survey, and a link is found by its hash (services.by_token)."""

    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    recipient_name = models.CharField(max_length=120)
    # Lower-cased: one survey per subject and address, however it was typed.
    recipient_email = models.EmailField()
    # The CSE the answer is about (the KPIs count it per CSE); None when nobody ran it.
    cse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
    )
    # What it is about: any row (an engagement request, a follow-up, a webinar).
    subject_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    about = models.CharField(max_length=255, help_text="What it is about, as the contact reads it.")
    link = models.CharField(
        max_length=255, blank=True, help_text="The subject's page, for the team."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "core.OutboundMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ArchivableAccountScopedQuerySet.as_manager()  # type: ignore[misc]  # narrows the base manager
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # Sending twice for one subject and person sends once: a contact by their
            # row, anyone else by their address.
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "contact"],
                condition=models.Q(contact__isnull=False),
                name="survey_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient_email"],
                condition=models.Q(contact__isnull=True),
                name="survey_once_per_address",
            ),
            # A contact's survey is their account's; an address alone has none.
            models.CheckConstraint(
                condition=models.Q(contact__isnull=True) | models.Q(account__isnull=False),
                name="survey_contact_has_its_account",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["cse", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_name}: {self.about}"

    @property
    def kind_enum(self) -> SurveyKind:
        return SurveyKind(self.kind)

    def state(self, now=None) -> SurveyState:
        state = rules.link_state(
            answered_at=self.answered_at, expires_at=self.expires_at, now=now or timezone.now()
        )
        return {
            rules.LinkState.OPEN: SurveyState.SENT,
            rules.LinkState.ANSWERED: SurveyState.ANSWERED,
            rules.LinkState.EXPIRED: SurveyState.EXPIRED,
        }[state]

    @property
    def state_enum(self) -> SurveyState:
        return self.state()

    @property
    def scale(self) -> tuple[int, int]:
        return rules.scale(self.kind)


class SurveyResponse(models.Model):
    """The contact's one answer to a survey: append-only, as the KPIs count it."""

    survey = models.OneToOneField(Survey, on_delete=models.PROTECT, related_name="response")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=rules.COMMENT_LIMIT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    account_path = "survey__account"
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=10), name="survey_response_score_in_a_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.survey})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A survey's answer is given once and never changed.")
        super().save(*args, **kwargs)
