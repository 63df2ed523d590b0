"""The CS Help CTAs' clocks: case to CTA (latency), CTA to first customer contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import (
    Avg,
    F,
    Q,
    QuerySet,
)

from rhythm.ctas.choices import CASE_SOURCES
from rhythm.ctas.models import Cta
from rhythm.kpis import rules
from rhythm.kpis.figures import (
    Cell,
    Drill,
    Figure,
    Row,
    Scope,
    SecondsBetween,
    Series,
    count_in,
    fmt,
    link_to,
    local_time,
    month_bucket,
    monthly,
    seconds_of,
)

# --- CTAs ---------------------------------------------------------------------------------


def _case_ctas(scope: Scope) -> QuerySet:
    return scope.narrow(
        Cta.objects.filter(source__in=CASE_SOURCES).order_by(), when="raised_at", cse="owner"
    )


FIRST_CONTACT = SecondsBetween(F("outreach_message__created_at"), F("raised_at"))


def _duration_trend(scope: Scope, rows: QuerySet, duration: Any, unit: str, noun: str) -> Figure:
    counted = monthly(
        scope,
        rows,
        "raised_at",
        {
            "n": count_in(),
            "mean": lambda window: Avg(duration, filter=window),
        },
    )
    convert = rules.hours if unit == "h" else rules.days
    empty: tuple[int, float | None] = (0, None)
    months = dict.fromkeys(scope.filters.period.months(), empty)
    weighted, total = 0.0, 0
    for month, row in counted.items():
        seconds = seconds_of(row["mean"])
        if seconds is not None:
            months[month] = (row["n"], convert(seconds))
            weighted += seconds * row["n"]
            total += row["n"]
    value = convert(weighted / total) if total else None
    return Figure(
        value,
        fmt(value, unit),
        f"average over {total} {noun}",
        ("Month", noun.capitalize(), f"Average ({unit})"),
        [Row(m.strftime("%Y-%m"), m.strftime("%b %Y"), v) for m, v in months.items()],
        (Series(f"Average ({unit})", 1),),
    )


def cta_latency(scope: Scope) -> Figure:
    return _duration_trend(
        scope, _case_ctas(scope).filter(latency__isnull=False), F("latency"), "h", "CTAs"
    )


def first_contact(scope: Scope) -> Figure:
    return _duration_trend(
        scope,
        _case_ctas(scope).filter(outreach_message__isnull=False),
        FIRST_CONTACT,
        "h",
        "CTAs with an outreach email",
    )


def cta_rows(only: Q, duration: Any) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = _case_ctas(scope).filter(only)
        if times := month_bucket(bucket):
            rows = rows.filter(raised_at__gte=times[0], raised_at__lt=times[1])
        return Drill(
            ("CTA", "Account", "Owner", "Raised", "Hours"),
            rows.annotate(took=duration)
            .order_by("-raised_at", "-id")
            .values_list(
                "id", "name", "account_id", "account__name", "owner__username", "raised_at", "took"
            ),
            lambda r: [
                Cell(r[1], link_to("ctas:detail", r[0])),
                Cell(r[3], link_to("customers:account-detail", r[2])),
                Cell(r[4] or "Unassigned"),
                Cell(local_time(r[5])),
                Cell(fmt(rules.hours(seconds_of(r[6])))),
            ],
        )

    return drill
