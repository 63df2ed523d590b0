"""Use cases of the core app: outbox writes and delivery, API tokens, archiving."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import linebreaks, urlize

from rhythm.core import locks, rules
from rhythm.core.choices import MessageStatus
from rhythm.core.models import ApiToken, ArchivableModel, OutboundMessage
from rhythm.core.prepared import Prepared

log = logging.getLogger(__name__)

# --- Outbox -------------------------------------------------------------------


def enqueue_email(
    *,
    key: str,
    to: Sequence[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    cc: Sequence[str] = (),
    reply_to: Sequence[str] = (),
    from_email: str = "",
) -> OutboundMessage:
    """Write an email to the outbox inside the caller's transaction.

    The same key twice returns the first row: a retried request sends nothing new.
    Delivery is queued only once the surrounding transaction commits.
    """
    if not to:
        raise ValueError("to: an email needs at least one recipient.")
    # A line break in a header is refused at send time, every retry again; fold
    # it here, where the caller still sees the mistake.
    subject = " ".join(subject.split())
    # Every email goes as HTML and text; a plain message gets its HTML from its text.
    body_html = body_html or linebreaks(urlize(body_text, autoescape=True))
    with transaction.atomic():
        message, created = OutboundMessage.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "to": list(to),
                "cc": list(cc),
                "reply_to": list(reply_to),
                "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
                "subject": subject[:255],
                "body_text": body_text,
                "body_html": body_html,
            },
        )
    if created:
        # A real cycle: core.tasks imports this module to deliver what it writes.
        from rhythm.core.tasks import deliver_message

        transaction.on_commit(lambda: deliver_message(message.pk))
    return message


def send_draft(draft: rules.EmailDraft) -> OutboundMessage:
    """Write a composed (and perhaps edited) email to the outbox, in the caller's
    transaction: the same key twice returns the first message."""
    return enqueue_email(
        key=draft.key,
        to=draft.to,
        cc=draft.cc,
        reply_to=draft.reply_to,
        from_email=draft.from_email,
        subject=draft.subject,
        body_text=draft.body_text,
        body_html=draft.body_html,
    )


@dataclass(frozen=True)
class DeliveryResult:
    message_id: int
    outcome: str  # "sent", "skipped", "retry", "failed"


def deliver(message_id: int) -> DeliveryResult:
    """Send one message if, and only if, this call wins the claim on it.

    The claim names this worker, whose heartbeat keeps it alive while the send
    runs; if the worker dies before it marks the message sent, nobody knows
    whether the recipient got it, and `release_dead_claims` sends it again with
    the same Message-ID: at least once, never lost, one Message-ID."""
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=MessageStatus.SENDING,
        claimed_at=now,
        claimed_by=locks.worker_id(),
        heartbeat_at=now,
        attempts=models.F("attempts") + 1,
    )
    if not claimed:
        return DeliveryResult(message_id, "skipped")

    message = OutboundMessage.objects.get(pk=message_id)
    try:
        _send_email(message)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried
        retry_at = rules.next_delivery_attempt(message.attempts, timezone.now())
        status = MessageStatus.PENDING if retry_at else MessageStatus.FAILED
        OutboundMessage.objects.filter(pk=message_id).update(
            status=status,
            next_attempt_at=retry_at or message.next_attempt_at,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_at=None,
            claimed_by="",
        )
        log.warning("outbox message %s failed (attempt %s): %s", message_id, message.attempts, exc)
        return DeliveryResult(message_id, "retry" if retry_at else "failed")

    OutboundMessage.objects.filter(pk=message_id).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), last_error="", claimed_by=""
    )
    return DeliveryResult(message_id, "sent")


def message_id_header(message: OutboundMessage) -> str:
    """The message's Message-ID: the same on every attempt, from every worker."""
    domain = rules.email_domain(message.from_email or settings.DEFAULT_FROM_EMAIL)
    return rules.message_id(message.idempotency_key, domain)


def _send_email(message: OutboundMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        cc=message.cc,
        reply_to=message.reply_to,
        headers={
            "Message-ID": message_id_header(message),
            "X-Rhythm-Message-Key": message.idempotency_key,
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send(fail_silently=False)


def touch_claims() -> int:
    """This worker's sign of life on the messages it is sending (a heartbeat)."""
    return OutboundMessage.objects.filter(
        status=MessageStatus.SENDING, claimed_by=locks.worker_id()
    ).update(heartbeat_at=timezone.now())


def release_dead_claims(*, enqueue: bool = True) -> list[int]:
    """Put back in line the messages whose worker died mid-send, and queue them.

    A worker is dead when its heartbeat has been quiet for `CLAIM_STALE_AFTER`,
    or at once when it was a process of this machine that no longer exists.
    Whether the recipient got the interrupted attempt is unknown: the count of
    such outcomes is kept, and `rhythm outbox list` shows the resend as one."""
    now = timezone.now()
    sending = OutboundMessage.objects.filter(status=MessageStatus.SENDING)
    quiet = sending.filter(heartbeat_at__lt=now - rules.CLAIM_STALE_AFTER)
    legacy = sending.filter(heartbeat_at__isnull=True, claimed_at__lt=now - rules.CLAIM_STALE_AFTER)
    dead = locks.dead_among(sending.values_list("claimed_by", flat=True).distinct())
    released = []
    for candidates in (quiet, legacy, sending.filter(claimed_by__in=dead)):
        for pk, worker in candidates.values_list("pk", "claimed_by"):
            # Conditional on the same claim, so a message its worker finished
            # meanwhile, or another release took, is left alone.
            if OutboundMessage.objects.filter(
                pk=pk, status=MessageStatus.SENDING, claimed_by=worker
            ).update(
                status=MessageStatus.PENDING,
                claimed_at=None,
                claimed_by="",
                heartbeat_at=None,
                next_attempt_at=now,
                unknown_outcomes=models.F("unknown_outcomes") + 1,
                last_error=(
                    f"Worker {worker or '(unknown)'} stopped mid-send; whether it reached"
                    " the server is unknown: sending again with the same Message-ID."
                ),
            ):
                released.append(pk)
    if released:
        log.warning("outbox: released %s message(s) of dead workers", len(released))
    if released and enqueue:
        # A real cycle: core.tasks imports this module to deliver what it writes.
        from rhythm.core.tasks import deliver_message

        for pk in released:
            transaction.on_commit(partial(deliver_message, pk))
    return released


def due_message_ids(limit: int = 500) -> list[int]:
    """Pending messages whose time has come; dead workers' claims are released first."""
    release_dead_claims(enqueue=False)  # the caller delivers what this returns
    return list(
        OutboundMessage.objects.filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def retry_message(message_id: int) -> bool:
    """Put a failed message back in line. A sent message is never retried."""
    revived = OutboundMessage.objects.filter(pk=message_id, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    if revived:
        # A real cycle: core.tasks imports this module to deliver what it writes.
        from rhythm.core.tasks import deliver_message

        transaction.on_commit(lambda: deliver_message(message_id))
    return bool(revived)


# --- API tokens -------------------------------------------------------------


def create_token(user, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its plain text, which is never stored."""
    plain = rules.TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name.strip() or "Personal token")[:100],
        prefix=plain[:12],
        key_hash=rules.hash_token(plain),
    )
    return token, plain


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Every API request looks its token up: the statement is compiled once (core.prepared).
_TOKEN = Prepared(
    lambda _, key_hash: ApiToken.objects.usable().select_related("user").filter(key_hash=key_hash)
)


def authenticate_token(plain: str) -> ApiToken | None:
    if not rules.looks_like_token(plain):
        return None
    token = _TOKEN.first(None, rules.hash_token(plain))
    if token is None:
        return None
    if getattr(token.user, "archived_at", None) is not None:
        return None  # an archived member's tokens die with their sign-in
    now = timezone.now()
    if rules.token_needs_touch(token.last_used_at, now):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


Archivable = TypeVar("Archivable", bound=ArchivableModel)


# --- Archiving --------------------------------------------------------------


def archive(obj: Archivable) -> Archivable:
    """Archive instead of delete; archiving twice keeps the first time."""
    if obj.archived_at is None:
        obj.archived_at = timezone.now()
        obj.save(update_fields=["archived_at", "updated_at"])
    return obj


def restore(obj: Archivable) -> Archivable:
    if obj.archived_at is not None:
        obj.archived_at = None
        obj.save(update_fields=["archived_at", "updated_at"])
    return obj
