"""Who changed what, and when: django-simple-history rows with the fields each one changed.

A page that shows history lists a few dozen rows across several models. Diffing
each row against its predecessor with `prev_record` would cost a query per row,
so each history queryset is read once with its predecessor's id (a LAG window
over the object's own rows), the predecessors are read in one more query, and
`diff_against` then compares the pairs in memory.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Prefetch, Window
from django.db.models.functions import Lag
from django.utils import formats, timezone
from simple_history.models import HistoricalRecords

# Bookkeeping columns that change on every save and tell a reader nothing.
_NOT_SHOWN = {"created_at", "updated_at", "date_joined", "last_login", "password"}
_ARCHIVE_FIELD = "archived_at"
_VERBS = {"+": "created", "-": "removed", "~": "changed"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    record: Any  # a historical row of some model
    changes: list[FieldChange] = field(default_factory=list)
    verb: str = "changed"

    @property
    def date(self) -> datetime.datetime:
        return self.record.history_date

    @property
    def user(self) -> Any:
        return self.record.history_user

    @property
    def kind(self) -> str:
        return str(self.record.instance_type._meta.verbose_name)

    @property
    def label(self) -> str:
        # history_object rebuilds the row from the snapshot alone; `instance` may query.
        return str(self.record.history_object)

    @property
    def reason(self) -> str:
        return self.record.history_change_reason or ""


def entries(*querysets: models.QuerySet, limit: int = 30) -> list[HistoryEntry]:
    """The newest `limit` rows of the given history querysets, each with its changes.

    Costs two queries per queryset (plus one per tracked many-to-many field and
    queryset), however many rows there are.
    """
    found: list[HistoryEntry] = []
    for queryset in querysets:
        found.extend(_entries(queryset, limit))
    found.sort(key=lambda e: (e.date, e.record.history_id), reverse=True)
    return found[:limit]


def _entries(queryset: models.QuerySet, limit: int) -> list[HistoryEntry]:
    history_model = queryset.model
    relations = [f.name for f in history_model._meta.concrete_fields if f.is_relation]
    m2m = _m2m_prefetches(history_model)
    rows = list(
        queryset.select_related(*relations)
        .prefetch_related(*m2m.values())
        .annotate(
            previous_history_id=Window(
                Lag("history_id"),
                partition_by=[F("id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
        .order_by("-history_date", "-history_id")[:limit]
    )
    wanted = {row.previous_history_id for row in rows if row.previous_history_id}
    previous = {
        row.history_id: row
        for row in history_model._default_manager.filter(history_id__in=wanted)
        .select_related(*relations)
        .prefetch_related(*m2m.values())
    }
    return [_entry(row, previous.get(row.previous_history_id), m2m) for row in rows]


def _m2m_prefetches(history_model: type[models.Model]) -> dict[str, Prefetch]:
    """Per tracked many-to-many field, a prefetch of its snapshot rows with their target."""
    prefetches = {}
    for m2m_field in getattr(history_model, "_history_m2m_fields", []):
        snapshot_model = HistoricalRecords.m2m_models[m2m_field]
        accessor = snapshot_model._meta.get_field("history").remote_field.get_accessor_name()
        target = m2m_field.m2m_reverse_field_name()
        prefetches[m2m_field.name] = Prefetch(
            accessor,
            snapshot_model._default_manager.select_related(target),
            to_attr=f"snapshot_{m2m_field.name}",
        )
    return prefetches


def _entry(row: Any, previous: Any, m2m: dict[str, Prefetch]) -> HistoryEntry:
    verb = _VERBS.get(row.history_type, "changed")
    if row.history_type != "~" or previous is None:
        return HistoryEntry(row, [], verb)
    # diff_against compares editable fields only; archiving is told by its own column.
    tracked = [
        f.name
        for f in row.tracked_fields
        if f.editable and f.name not in _NOT_SHOWN and f.name not in m2m and not f.primary_key
    ]
    delta = row.diff_against(previous, included_fields=tracked)
    before, after = (getattr(r, _ARCHIVE_FIELD, None) for r in (previous, row))
    if before is None and after is not None:
        verb = "archived"
    elif before is not None and after is None:
        verb = "restored"
    changes = []
    for change in delta.changes:
        meta = row._meta.get_field(change.field)
        changes.append(
            FieldChange(
                change.field,
                str(meta.verbose_name),
                _show(previous, meta, change.old),
                _show(row, meta, change.new),
            )
        )
    for name, prefetch in m2m.items():
        target = row.instance_type._meta.get_field(name).m2m_reverse_field_name()
        before = _m2m_targets(previous, prefetch, target)
        after = _m2m_targets(row, prefetch, target)
        if set(before) != set(after):
            label = str(row.instance_type._meta.get_field(name).verbose_name)
            changes.append(FieldChange(name, label, _join(before.values()), _join(after.values())))
    return HistoryEntry(row, changes, verb)


def _m2m_targets(row: Any, prefetch: Prefetch, target: str) -> dict[Any, str]:
    snapshot = getattr(row, prefetch.to_attr or "", [])
    return {getattr(item, f"{target}_id"): str(getattr(item, target) or "?") for item in snapshot}


def _join(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "—"


def _show(row: Any, meta: models.Field, value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if meta.is_relation:
        # Already loaded by select_related; a row since removed shows by its id.
        related = getattr(row, meta.name, None)
        return str(related) if related is not None else f"#{value}"
    if meta.choices:
        return str(dict(meta.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return f"{int(value):,}" if value == value.to_integral_value() else f"{value:,}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
