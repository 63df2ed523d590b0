"""Writing the account timeline. Called by other apps' services inside their
transactions, so an entry exists exactly when the thing it records does."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import bulk
from rhythm.timeline.choices import EntryKind
from rhythm.timeline.models import TimelineEntry

NOTE_MAX_LENGTH = 10_000


def record(
    *,
    account_id: int,
    kind: EntryKind,
    title: str,
    body: str = "",
    actor=None,
    link: str = "",
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        account_id=account_id,
        kind=kind,
        title=title[:255],
        body=body,
        actor=actor,
        link=link,
        occurred_at=occurred_at or timezone.now(),
    )


def record_many(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Bulk form of `record`, for use cases that raise many things at once."""
    return TimelineEntry.objects.bulk_create(entries, batch_size=1000)


_ROW = ("account_id", "title", "link")


def record_rows(
    rows: list[tuple[int, str, str]],
    *,
    kind: EntryKind,
    body: str = "",
    actor=None,
    occurred_at: datetime | None = None,
) -> None:
    """Bulk form of `record` for many entries of one kind, each row an
    (account_id, title, link): multi-row INSERTs with no model instance per entry,
    for use cases that raise thousands of things at once."""
    if not rows:
        return
    template = TimelineEntry(
        kind=kind, body=body, actor=actor, occurred_at=occurred_at or timezone.now()
    )
    bulk.insert_rows(
        TimelineEntry,
        template,
        _ROW,
        [(account, title[:255], link) for account, title, link in rows],
    )


NOTE_TITLE_LENGTH = 120


@transaction.atomic
def add_note(*, account, author, text: str) -> TimelineEntry:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ValidationError("Write the note first.", code="required")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": ValidationError(f"At most {NOTE_MAX_LENGTH} characters.", code="max_length")}
        )
    # The first line is the entry's title and the rest its body, so that a short
    # note shows once; a first line too long for a title stays whole in the body.
    first_line, _, rest = text.partition("\n")
    title, body = first_line.strip(), rest.strip()
    if len(title) > NOTE_TITLE_LENGTH:
        title, body = title[: NOTE_TITLE_LENGTH - 1].rstrip() + "…", text
    return record(account_id=account.pk, kind=EntryKind.NOTE, title=title, body=body, actor=author)
