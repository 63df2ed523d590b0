"""Writing the account timeline. Called by other apps' services inside their
transactions, so an entry exists exactly when the thing it records does."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import bulk
from rhythm.core.events import Entry
from rhythm.timeline.models import TimelineEntry

NOTE_MAX_LENGTH = 10_000
NOTE = "note"

_COLUMNS = ("account_id", "kind", "title", "body", "actor_id", "link", "occurred_at")


def record(entry: Entry) -> TimelineEntry:
    return TimelineEntry.objects.create(
        account_id=entry.account_id,
        kind=entry.kind,
        title=entry.title[:255],
        body=entry.body,
        actor=entry.actor,
        link=entry.link,
        occurred_at=entry.occurred_at or timezone.now(),
    )


def record_entries(entries: list[Entry]) -> None:
    """Write the entries in multi-row INSERTs with no model instance per entry: one
    for the line a use case writes, a few for the thousands a reconciliation raises."""
    if not entries:
        return
    now = timezone.now()
    rows = [
        (
            e.account_id,
            e.kind,
            e.title[:255],
            e.body,
            e.actor.pk if e.actor is not None else None,
            e.link,
            e.occurred_at or now,
        )
        for e in entries
    ]
    # A column all entries agree on is written once as a constant: PostgreSQL
    # could not type a VALUES column that is NULL in every row.
    varying = [
        n
        for n, column in enumerate(_COLUMNS)
        if column == "account_id" or len({r[n] for r in rows}) > 1
    ]
    template = TimelineEntry(
        **{column: rows[0][n] for n, column in enumerate(_COLUMNS) if n not in varying}
    )
    bulk.insert_rows(
        TimelineEntry,
        template,
        [_COLUMNS[n] for n in varying],
        [[row[n] for n in varying] for row in rows],
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
    return record(Entry(account_id=account.pk, kind=NOTE, title=title, body=body, actor=author))
