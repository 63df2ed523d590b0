"""What a KPI is made of: the filters a dashboard asks (Filters), who asks and what
for (Scope, with the access rule), and what a KPI answers (a Figure of Rows, its
chart's Series, the Drill of the rows behind it), with the helpers the queries share.

Each figure is computed in the database: a KPI is one aggregate query (grouped by
the buckets of its table) whatever the number of rows, through the one access rule
(customers.access.account_scope). Nothing loops over the rows counted; the loops
run over a table's buckets (months, scores, states, CSEs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone

from rhythm.core.dates import day_start
from rhythm.customers.access import account_scope
from rhythm.kpis import rules

PERIOD, REGION, SEGMENT, CSE, OFFERING = "period", "region", "segment", "cse", "offering"
KIND = "kind"
ALL_FILTERS = frozenset({PERIOD, REGION, SEGMENT, CSE, OFFERING})
DRILL_PAGE = 50


# --- What a dashboard asks -------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: rules.Period
    region: str = ""
    segment: int | None = None
    cse: int | None = None
    offering: int | None = None
    kind: str = ""  # the webinars dashboard's: webinar or lab

    def query(self) -> dict[str, str]:
        """The filters as the address carries them (drill-downs, CSV links, the API)."""
        out = {"period": self.period.key}
        if self.region:
            out["region"] = self.region
        if self.kind:
            out["kind"] = self.kind
        for name in ("segment", "cse", "offering"):
            if getattr(self, name) is not None:
                out[name] = str(getattr(self, name))
        return out


@dataclass(frozen=True)
class Scope:
    """Who asks and what for: every query of a KPI starts here."""

    user: Any
    filters: Filters
    now: datetime

    @property
    def since(self) -> datetime:
        return day_start(self.filters.period.start)

    @property
    def until(self) -> datetime:
        return day_start(self.filters.period.end)

    def narrow(
        self,
        queryset: QuerySet,
        *,
        account: str | None = "account",
        when: str | None = None,
        cse: str | None = None,
        offering: str | None = None,
    ) -> QuerySet:
        """`queryset` through the access rule and the filters that apply to it: `account`
        is the path to its account, `when` the time the period counts, `cse` the path
        to the CSE it is about, `offering` the path to its catalog offering."""
        f = self.filters
        if account is not None:
            scope = account_scope(self.user, account)
            if scope is not None:
                queryset = queryset.filter(scope)
            if f.region:
                queryset = queryset.filter(**{f"{account}__region": f.region})
            if f.segment is not None:
                queryset = queryset.filter(**{f"{account}__segment_id": f.segment})
        if when is not None:
            queryset = queryset.filter(**{f"{when}__gte": self.since, f"{when}__lt": self.until})
        if cse is not None and f.cse is not None:
            queryset = queryset.filter(**{f"{cse}_id": f.cse})
        if offering is not None and f.offering is not None:
            queryset = queryset.filter(**{f"{offering}_id": f.offering})
        return queryset


# --- What a KPI answers ----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a KPI's table: `bucket` names it in a drill-down's address."""

    bucket: str
    label: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Series:
    """One line or set of bars of a chart: the values of one column of the table."""

    label: str
    column: int


@dataclass
class Figure:
    value: float | int | None
    display: str
    note: str
    columns: tuple[str, ...]
    rows: list[Row]
    series: tuple[Series, ...] = ()
    available: bool = True

    def chart_data(self) -> dict[str, Any]:
        return {
            "labels": [row.label for row in self.rows],
            "datasets": [
                {"label": s.label, "data": [number(row.values[s.column]) for row in self.rows]}
                for s in self.series
            ],
        }


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Drill:
    """The rows behind a figure: columns, the rows' query, and how a row reads."""

    columns: tuple[str, ...]
    queryset: QuerySet
    cells: Callable[[Any], list[Cell]]


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    definition: str
    chart: str  # "line" (a trend), "bar" (a mix), or "" (a table only)
    compute: Callable[[Scope], Figure]
    drill: Callable[[Scope, str], Drill]
    filters: frozenset[str] = field(default=ALL_FILTERS)
    wide: bool = False  # a table of many columns: the dashboard's whole width


def number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


def fmt(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}{(' ' + unit) if unit else ''}"
    return f"{value:,}{(' ' + unit) if unit else ''}"


def month_bucket(bucket: str) -> tuple[datetime, datetime] | None:
    """The times of the month a bucket names ("2026-11"), or None."""
    try:
        first = date.fromisoformat(bucket + "-01")
    except ValueError:
        return None
    return day_start(first), day_start(rules.add_months(first, 1))


def monthly(
    scope: Scope, queryset: QuerySet, field: str, measures: dict[str, Callable[[Q], Any]]
) -> dict[date, dict[str, Any]]:
    """Each month of the period's measures, in one aggregate query: a conditional
    aggregate per month and measure (`measures[name](the month's condition)`), rather
    than a month computed per row (SQLite truncates dates in Python, row by row)."""
    months = scope.filters.period.months()
    wanted = {}
    for i, month in enumerate(months):
        window = Q(
            **{
                f"{field}__gte": day_start(month),
                f"{field}__lt": day_start(rules.add_months(month, 1)),
            }
        )
        for name, measure in measures.items():
            wanted[f"{name}_{i}"] = measure(window)
    got = queryset.aggregate(**wanted)
    return {
        month: {name: got[f"{name}_{i}"] for name in measures} for i, month in enumerate(months)
    }


def count_in(condition: Q | None = None) -> Callable[[Q], Count]:
    return lambda window: Count("pk", filter=window & condition if condition else window)


def link_to(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d %b %Y %H:%M %Z") if value else "—"


def seconds_of(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SecondsBetween(Func):
    """`later - earlier` in seconds, as each database counts it natively: SQLite's
    datetime arithmetic through Django is a Python function called per row (its
    django_timestamp_diff), which an average over every stay cannot afford."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        return self.as_sqlite(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return (
            f"((julianday({later[0]}) - julianday({earlier[0]})) * 86400.0)",
            (*later[1], *earlier[1]),
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return f"EXTRACT(EPOCH FROM ({later[0]} - {earlier[0]}))", (*later[1], *earlier[1])
