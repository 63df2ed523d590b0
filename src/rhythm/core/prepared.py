"""Reads whose SQL the ORM builds once, then runs again with new values.

For a short read by key, composing and compiling the query costs the ORM about
ten times the CPU that SQLite spends running it, and a request on the hot path
(an API token's lookup, the rows an intake validates) makes several. A
`Prepared` read keeps the ORM as the one way the query is written (its managers,
the access rule, select_related) and compiles it once per shape and database:
the queryset is built with sentinel values, compiled, and the sentinels' places
among the statement's parameters remembered. A run executes that statement with
the real values and builds the rows as the ORM would (converters, model
instances, select_related objects, annotations).

Only values may change between runs. Whatever changes the SQL itself (None
instead of a value, an empty list, another access scope) must be part of the
`shape` the builder is given; an argument a shape does not use (the person's id
when they see every account) is simply not sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

_SENTINEL_BASE = -7_391_000_000  # an id no row has, counted down per argument


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (position among params, argument index)
    converters: tuple
    model: Any
    fields_start: int
    fields_end: int
    init_list: tuple[str, ...]
    populators: tuple
    annotations: tuple[tuple[str, int], ...]


class Prepared:
    """`build(shape, *args)` → a model queryset; `Prepared(build).all(shape, *args)`
    runs it. Arguments are ints or strings (they become sentinels while compiling)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled | None] = {}

    def all(self, shape: Hashable, *args: Any) -> list:
        compiled = self._compiled_for(shape, args)
        if compiled is None:  # the filter can match nothing (`pk__in=[]`)
            return []
        alias = compiled.model._default_manager.db
        connection = connections[alias]
        params = list(compiled.params)
        for position, index in compiled.slots:
            params[position] = args[index]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        objects = []
        for raw in rows:
            row = list(raw)
            for position, (converters, expression) in compiled.converters:
                value = row[position]
                for convert in converters:
                    value = convert(value, expression, connection)
                row[position] = value
            obj = compiled.model.from_db(
                alias, compiled.init_list, row[compiled.fields_start : compiled.fields_end]
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, shape: Hashable, *args: Any):
        found = self.all(shape, *args)
        return found[0] if found else None

    def _compiled_for(self, shape: Hashable, args: tuple) -> _Compiled | None:
        types = tuple(type(a) for a in args)
        key = (shape, types)
        try:
            return self._compiled[key]
        except KeyError:
            compiled: _Compiled | None = self._compile(shape, types)
            self._compiled[key] = compiled
            return compiled

    def _compile(self, shape: Hashable, types: tuple[type, ...]) -> _Compiled | None:
        counter = itertools.count()
        sentinels = [_sentinel(kind, next(counter)) for kind in types]
        queryset = self.build(shape, *sentinels)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = []
        for position, value in enumerate(params):
            for index, sentinel in enumerate(sentinels):
                if type(value) is type(sentinel) and value == sentinel:
                    slots.append((position, index))
        altered = [
            n
            for n, sentinel in enumerate(sentinels)
            if isinstance(sentinel, str)
            and any(isinstance(p, str) and sentinel in p and p != sentinel for p in params)
        ]
        if altered:  # a LIKE pattern made of it, say: the run could not rebuild it
            raise TypeError(
                f"{self.build.__qualname__}: argument(s) {altered} reached the statement"
                " changed; only values passed as they are may vary."
            )
        # A value written into the SQL text itself (a slice's LIMIT, a value the
        # builder computed with) would be the sentinel's forever after.
        baked = [n for n, sentinel in enumerate(sentinels) if str(sentinel) in sql]
        if baked:
            raise TypeError(
                f"{self.build.__qualname__}: argument(s) {baked} were written into the SQL;"
                " only values that reach the statement as parameters may vary."
            )
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise TypeError(f"{self.build.__qualname__}: a prepared read returns model rows.")
        fields = [s[0] for s in select[: compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            converters=tuple(compiler.get_converters(fields).items()),
            model=klass_info["model"],
            fields_start=start,
            fields_end=end,
            init_list=tuple(f[0].target.attname for f in select[start:end]),
            # django-stubs describe Django 6's signature (a fetch mode); 5.2 has none.
            populators=tuple(get_related_populators(klass_info, select, queryset.db)),  # type: ignore[call-arg]
            annotations=tuple(compiler.annotation_col_map.items()),
        )


def _sentinel(kind: type, n: int) -> Any:
    if kind is int:
        return _SENTINEL_BASE - n
    if kind is str:
        return f"\x00prepared-sentinel-{n}\x00"
    raise TypeError(f"a prepared read takes ints and strings as values, not {kind.__name__}")
