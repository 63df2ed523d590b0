"""Pure decisions shared by every app: no database, no clock, no I/O."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import date, datetime, timedelta

# Delivery retries back off 1, 2, 4, 8 … minutes, capped at an hour, and give up
# after MAX_DELIVERY_ATTEMPTS; `rhythm outbox retry` revives a failed message.
MAX_DELIVERY_ATTEMPTS = 8
TOKEN_PREFIX = "rhy_"


def next_delivery_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failures, or None to give up."""
    if attempts >= MAX_DELIVERY_ATTEMPTS:
        return None
    minutes = min(2 ** max(attempts - 1, 0), 60)
    return now + timedelta(minutes=minutes)


# A claim's worker beats every few seconds (rhythm.core.locks); one quiet for this
# long is dead, and its claims go back in line. Several missed beats, so that a
# worker blocked for a moment on a busy database keeps what it holds.
CLAIM_STALE_AFTER = timedelta(seconds=40)


def claim_is_stale(last_sign_of_life: datetime | None, now: datetime) -> bool:
    """Whether a claim whose worker last showed life then belongs to a dead worker."""
    return last_sign_of_life is None or now - last_sign_of_life > CLAIM_STALE_AFTER


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID header of an outbox message: derived from its idempotency key,
    so that a resend after an unknown outcome is recognisably the same message
    (mail clients and many servers drop the second copy)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<rhythm.{digest}@{domain or 'localhost'}>"


def email_domain(address: str) -> str:
    """The domain of an address as written in a header ("Rhythm <r@x.example>")."""
    _, _, domain = address.rpartition("@")
    return domain.strip().rstrip(">").strip().lower()


def parse_worker_id(worker: str) -> tuple[str, int] | None:
    """The (host, pid) of a `host:pid:nonce` worker id, or None for anything else."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX) and 20 <= len(token) <= 100


def token_needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    """Record last use at most once a minute, so reads do not become writes."""
    return last_used_at is None or now - last_used_at >= timedelta(minutes=1)


def add_business_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """The date `days` business days after `start` (Monday–Friday, minus holidays).

    Zero days from a weekend or holiday rolls forward to the next business day.
    The follow-ups work passes a region's public holidays through `holidays`.
    """
    current = start
    if days == 0:
        while current.weekday() >= 5 or current in holidays:
            current += timedelta(days=1)
        return current
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """A person's time zone by its name; None for a blank or unknown one, which the
    caller reads as the server's zone (UTC)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
