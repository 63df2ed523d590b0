"""Helpers for use cases that write thousands of rows at once in a few statements
(the CTA reconciliation): parameter limits, literal id lists, and history rows
copied by the database instead of built one Python object at a time."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import connection, connections, models

# PostgreSQL's wire protocol counts a statement's parameters in 16 bits.
POSTGRESQL_MAX_PARAMS = 65535
# Up to this many ids go as parameters (psycopg caches a statement's parsing up to
# 50 parameters); more are written into the statement (SQLite's parameter limit).
FEW_IDS = 32


def max_query_params() -> int:
    """How many parameters one statement may carry on this database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return POSTGRESQL_MAX_PARAMS


def placeholders(values: Iterable) -> str:
    """ "%s, %s, …", one per value."""
    return ", ".join("%s" for _ in values)


def id_list(ids: Iterable[int]) -> str:
    """Ids written into the statement (integers, so no quoting is needed): a long
    list of them as parameters would meet SQLite's parameter limit."""
    return ", ".join(str(int(pk)) for pk in ids)


def ids_in(ids: Sequence[int]) -> tuple[str, list[int]]:
    """What goes inside `IN (…)` for these ids, and its parameters. A few go as
    parameters, so an intake's statements have the same text every time and the
    drivers' caches of parsed statements hold them (a new text is parsed anew: a
    tenth of an intake's CPU on PostgreSQL); many are written into the statement."""
    if len(ids) <= FEW_IDS:
        return placeholders(ids), [int(pk) for pk in ids]
    return id_list(ids), []


@contextlib.contextmanager
def checkpoints_deferred():
    """SQLite: the write-ahead log copied back into the database once, after a run
    of many transactions, instead of at every commit that finds it past 1,000 pages.
    The reconciliation commits a transaction per batch to keep each one short (an
    intake waits for the write lock while it is held); at a million cases each
    commit's checkpoint rewrote the same index pages, for a fifth of the run."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # inside a transaction the batches commit once anyway, with it
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


@functools.cache
def history_model(model):
    # `Model.history` builds a new manager class on every access; the model is fixed.
    return model.history.model


def default_history_user(model, instance):
    """The user django-simple-history records when no actor is given (the request's)."""
    return history_model(model).get_default_history_user(instance)


def copy_to_history(model, key: str, ids: list[int], *, now: datetime, user) -> None:
    """django-simple-history's "+" row for every row of `model` whose `key` is in
    `ids`, as `bulk_create_with_history` writes it: each tracked column copied, by
    the database."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = history_model(model)
    date = history._meta.get_field("history_date").get_db_prep_save(now, connection)
    listed, id_params = ids_in(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            _copy_sql(model, key, connection.vendor) % {"ids": listed},
            [date, user.pk if user is not None else None, *id_params],
        )


@functools.cache
def _copy_sql(model, key: str, vendor: str) -> str:
    """copy_to_history's statement, "%(ids)s" for the id list (a model's columns
    are fixed: built once per model and database)."""
    history = history_model(model)
    qn = connection.ops.quote_name
    columns = ", ".join(map(quoted, history.tracked_fields))
    return (
        f"INSERT INTO {qn(history._meta.db_table)} ({columns},"
        " history_date, history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, %%s, NULL, '+', %%s"
        f" FROM {qn(model._meta.db_table)}"
        f" WHERE {qn(key)} IN (%(ids)s) ORDER BY id"
    )


# Field types whose database value is the Python value itself when that is a plain
# str, int or bool (get_db_prep_save would return it unchanged).
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}
_PLAIN_TYPES = (str, int, bool, type(None))


def _preparer(field, wrapper):
    """`field.get_db_prep_save(value)`, skipped for a value it would return as is:
    a reconciliation prepares tens of thousands, and the call cost a quarter of it."""
    target = field.target_field if field.is_relation else field
    if target.get_internal_type() not in _PLAIN:
        return lambda value: field.get_db_prep_save(value, wrapper)

    def prep(value):
        if type(value) in _PLAIN_TYPES:
            return value
        return field.get_db_prep_save(value, wrapper)

    return prep


@functools.cache
def _insert_columns(model, vendor: str) -> tuple[list, list[str]]:
    """The fields an INSERT writes (all but the key) and their quoted columns."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields, [quoted(f) for f in fields]


def quoted(field) -> str:
    """The field's column, quoted for this database."""
    return connection.ops.quote_name(cast(str, field.column))


def insert_rows(
    model: type[models.Model],
    template: models.Model,
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: str | None = None,
) -> list[tuple]:
    """One row of `model` per item of `rows` (values for `attnames`), every other
    column taken from `template`, in as few multi-row INSERTs as the parameter limit
    allows and with no model instance per row. With `returning`, the new rows' (id,
    that column) pairs, for the caller to match ids to its rows."""
    if not rows:
        return []
    fields, columns = _insert_columns(model, connection.vendor)
    by_attname = {f.attname: f for f in fields}
    row_fields = [by_attname[name] for name in attnames]
    select, constants = [], []
    for f, column in zip(fields, columns, strict=True):
        if f.attname in attnames:
            select.append(f"v.{column}")
            continue
        value = f.get_db_prep_save(getattr(template, f.attname), connection)
        select.append("NULL" if value is None else "%s")
        constants += [] if value is None else [value]
    qn = connection.ops.quote_name
    per_statement = max(1, (max_query_params() - len(constants)) // len(attnames))
    one_row = f"({placeholders(attnames)})"
    suffix = f" RETURNING id, {qn(returning)}" if returning else ""
    returned: list[tuple] = []
    wrapper = connections[connection.alias]  # the thread's own, not the proxy, per value
    preps = [_preparer(f, wrapper) for f in row_fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [prep(value) for row in chunk for prep, value in zip(preps, row, strict=True)]
            cursor.execute(
                f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)})"
                f" WITH v ({', '.join(map(quoted, row_fields))})"
                f" AS (VALUES {', '.join([one_row] * len(chunk))})"
                f" SELECT {', '.join(select)} FROM v{suffix}",
                [*params, *constants],
            )
            if returning:
                returned += cursor.fetchall()
    return returned
