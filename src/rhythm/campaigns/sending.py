"""Campaigns' use cases, the sending half: the email (its placeholders filled for a
contact, the live preview), a run (once per account, ever, even with two workers),
the schedule, and unsubscribing. Defining and approving is campaigns.services.

The unsubscribe link is a `django.core.signing` value (HMAC-SHA256 over the contact
and the campaign, salted, with a timestamp: 256 bits nobody guesses, checked in
constant time, expiring after UNSUBSCRIBE_MAX_AGE). Unlike a survey it needs no row
of its own: unsubscribing is idempotent, so a link used twice does no harm."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rhythm.campaigns import audience, rules
from rhythm.campaigns.choices import CampaignSchedule, CampaignState
from rhythm.campaigns.events import CampaignSent, ContactUnsubscribed
from rhythm.campaigns.models import (
    Campaign,
    CampaignEmail,
    CampaignRun,
    CampaignSend,
    Unsubscribe,
)
from rhythm.core import events
from rhythm.core import services as core_services
from rhythm.customers.models import Account, Contact
from rhythm.health.models import MetricValue

UNSUBSCRIBE_SALT = "rhythm.campaigns.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)


# --- The email ----------------------------------------------------------------------


def unsubscribe_token(contact_id: int, campaign_id: int) -> str:
    return signing.dumps({"c": contact_id, "k": campaign_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(contact_id: int, campaign_id: int) -> str:
    return settings.SITE_URL + reverse(
        "campaigns:unsubscribe", args=[unsubscribe_token(contact_id, campaign_id)]
    )


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def _latest_metrics(
    account_ids: list[int], names: list[str], today: date
) -> dict[int, dict[str, Decimal]]:
    if not names or not account_ids:
        return {}
    found: dict[int, dict[str, Decimal]] = {}
    rows = (
        MetricValue.objects.filter(account_id__in=account_ids, metric__in=names, date__lte=today)
        .order_by("account_id", "metric", "date")
        .values_list("account_id", "metric", "value")
    )
    for account_id, metric, value in rows:  # the latest date comes last and stays
        found.setdefault(account_id, {})[metric] = value
    return found


def compose(
    campaign: Campaign, contact: Any, account: Any, cse: Any, metrics: dict[str, Decimal]
) -> Email:
    link = (
        unsubscribe_url(contact.pk, campaign.pk)
        if contact.pk
        else "(the contact's unsubscribe link)"
    )
    values = {
        "contact_name": contact.name,
        "contact_first_name": rules.first_name(contact.name),
        "account_name": account.name,
        "cse_name": cse.get_full_name() or cse.username if cse else "",
        "cse_email": cse.email if cse else "",
        "booking_link": (cse.booking_url or cse.email) if cse else "",
        "unsubscribe_link": link,
    }
    body = rules.render(campaign.body, values, metrics)
    if (
        "{{ unsubscribe_link }}" not in campaign.body
        and "{{unsubscribe_link}}" not in campaign.body
    ):
        body += f"\n\n--\nNo more of these emails: {link}"
    return Email(contact.email, rules.render(campaign.subject, values, metrics), body)


def example_email(
    campaign: Campaign, account: Account | None = None
) -> tuple[Email | None, str, Account | None]:
    """The live preview: the email as a real account's contact would read it (the
    first account of the audience when none is chosen), or why there is none."""
    now = timezone.now()
    today = timezone.localdate(now)
    cover = audience.coverage()
    if account is None:
        account = (
            audience.evaluate(campaign, today, now, cover).eligible().order_by("name", "pk").first()
        )
        # None would receive it (all sent, say): a matching account still shows the words.
        account = account or audience.targeted(campaign, today).order_by("name", "pk").first()
        if account is None:
            return None, "No account matches the target group: the preview needs one.", None
    contact = (
        audience.eligible_contacts(campaign, now)
        .filter(account=account)
        .order_by("name", "pk")
        .first()
    )
    contact = (
        contact or Contact.objects.active().filter(account=account).order_by("name", "pk").first()
    )
    if contact is None:
        return None, f"{account.name} has no contact to write to.", account
    cse_id = cover.cse_for(account.segment_id, account.region)
    cse = get_user_model().objects.filter(pk=cse_id).first() if cse_id else None
    metrics = _latest_metrics([account.pk], _metric_names(campaign), today).get(account.pk, {})
    return compose(campaign, contact, account, cse, metrics), "", account


def _metric_names(campaign: Campaign) -> list[str]:
    return sorted(
        set(rules.metrics_named(campaign.subject, campaign.body)) | set(campaign.audience.metrics)
    )


# --- Running ------------------------------------------------------------------------


@dataclass
class RunResult:
    campaign: Campaign
    dry_run: bool
    run: CampaignRun | None = None
    sent: list[tuple[Any, Any, list[Email]]] = field(default_factory=list)  # account, cse, emails
    skipped: int = 0  # sent meanwhile by another run
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def emails(self) -> int:
        return sum(len(e) for _, _, e in self.sent)


class NotRunnable(Exception):
    pass


def run(
    campaign: Campaign, *, dry_run: bool = False, actor: Any = None, now: datetime | None = None
) -> RunResult:
    """Evaluate the audience and send: for each account that may get it, a send
    (once per account, ever: the constraint) and one outbox email per eligible
    contact, in a transaction per account. A dry run writes nothing and says what
    it would send. Only an active campaign sends."""
    campaign = Campaign.objects.get(pk=campaign.pk)
    if not dry_run and campaign.state != CampaignState.ACTIVE:
        raise NotRunnable(
            f"{campaign.name} is {campaign.get_state_display().lower()}: only an active "
            "campaign sends (a dry run shows what it would send)."
        )
    now = now or timezone.now()
    today = timezone.localdate(now)
    cover = audience.coverage()
    evaluated = audience.evaluate(campaign, today, now, cover)
    result = RunResult(campaign, dry_run, counts=evaluated.counts())
    accounts = list(evaluated.eligible().order_by("pk"))
    if not dry_run:
        result.run = CampaignRun.objects.create(
            campaign=campaign, started_at=now, actor=actor,
            accounts_excluded=result.counts["matched"] - result.counts["eligible"],
        )  # fmt: skip
    cses = get_user_model().objects.in_bulk(
        {cover.cse_for(a.segment_id, a.region) for a in accounts} - {None}
    )
    names = _metric_names(campaign)
    for start in range(0, len(accounts), 500):
        chunk = accounts[start : start + 500]
        contacts: dict[int, list[Contact]] = {}
        for contact in (
            audience.eligible_contacts(campaign, now)
            .filter(account_id__in=[a.pk for a in chunk])
            .order_by("name", "pk")
        ):
            contacts.setdefault(contact.account_id, []).append(contact)
        metrics = _latest_metrics([a.pk for a in chunk], names, today)
        for account in chunk:
            cse = cses[cover.cse_for(account.segment_id, account.region)]
            emails = [
                compose(campaign, c, account, cse, metrics.get(account.pk, {}))
                for c in contacts.get(account.pk, [])
            ]
            if dry_run or _send(
                campaign, result.run, account, cse, contacts.get(account.pk, []), emails, actor, now
            ):
                result.sent.append((account, cse, emails))
            else:
                result.skipped += 1
    if result.run is not None:
        result.run.finished_at = timezone.now()
        result.run.accounts_sent = len(result.sent)
        result.run.emails_written = result.emails
        result.run.save(update_fields=["finished_at", "accounts_sent", "emails_written"])
        Campaign.objects.filter(pk=campaign.pk).update(last_run_at=now)
    return result


def _send(campaign, run_row, account, cse, contacts, emails, actor, now) -> bool:
    """One account's send and its emails, all or nothing; False when another run
    sent it first (the unique constraint said so)."""
    try:
        with transaction.atomic():
            send = CampaignSend.objects.create(
                campaign=campaign, account=account, run=run_row, cse=cse, sent_at=now
            )
            for contact, email in zip(contacts, emails, strict=True):
                message = core_services.enqueue_email(
                    key=f"campaign:{campaign.pk}:account:{account.pk}:contact:{contact.pk}",
                    to=[email.to],
                    reply_to=[cse.email] if cse.email else [],
                    subject=email.subject,
                    body_text=email.body,
                )
                CampaignEmail.objects.create(
                    send=send, contact=contact, message=message, sent_at=now
                )
            send.campaign = campaign
            events.publish(CampaignSent(send, contacts, actor))
    except IntegrityError:
        if CampaignSend.objects.filter(campaign=campaign, account=account).exists():
            return False
        raise
    return True


def due(campaign: Campaign, now: datetime) -> bool:
    """Whether an active campaign's schedule says run now (a daily one once a day at
    or after its time; a one-off once, on or after its day and time)."""
    local = timezone.localtime(now)
    last = timezone.localtime(campaign.last_run_at) if campaign.last_run_at else None
    if campaign.schedule == CampaignSchedule.ONCE:
        if last is not None or campaign.send_on is None:
            return False
        return (local.date(), local.time()) >= (campaign.send_on, campaign.send_time)
    if local.time() < campaign.send_time:
        return False
    return last is None or last.date() < local.date()


def run_due(now: datetime | None = None) -> list[RunResult]:
    now = now or timezone.now()
    results = []
    for campaign in Campaign.objects.active().filter(state=CampaignState.ACTIVE):
        if due(campaign, now):
            results.append(run(campaign, now=now))
    return results


# --- Unsubscribing ----------------------------------------------------------------------


class BadLink(Exception):
    pass


def contact_for_link(token: str) -> tuple[Contact, Campaign | None]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise BadLink("expired") from None
    except signing.BadSignature:
        raise BadLink("invalid") from None
    contact = Contact.objects.filter(pk=data.get("c")).select_related("account").first()
    if contact is None:
        raise BadLink("invalid")
    return contact, Campaign.objects.filter(pk=data.get("k")).first()


@transaction.atomic
def unsubscribe(token: str) -> Unsubscribe:
    """The contact behind the link gets no more campaign emails; again is a no-op."""
    contact, campaign = contact_for_link(token)
    found, created = Unsubscribe.objects.get_or_create(
        contact=contact, defaults={"campaign": campaign}
    )
    if created:
        events.publish(ContactUnsubscribed(found))
    return found
