"""Success plans: the share all green and the share complete, per segment."""

from __future__ import annotations

from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from rhythm.customers.choices import HealthStatus
from rhythm.customers.models import Objective, SuccessPlan
from rhythm.kpis import rules
from rhythm.kpis.figures import (
    Cell,
    Drill,
    Figure,
    Row,
    Scope,
    Series,
    fmt,
    link_to,
)

# --- Success plans ---------------------------------------------------------------------


def _plans(scope: Scope) -> QuerySet:
    objectives = Objective.objects.filter(success_plan=OuterRef("pk"), archived_at__isnull=True)
    return (
        scope.narrow(SuccessPlan.objects.active())
        .annotate(
            has_objectives=Exists(objectives),
            not_green=Exists(objectives.exclude(status=HealthStatus.GREEN)),
            not_done=Exists(objectives.filter(progress__lt=100)),
        )
        .order_by()
    )


def green_plans(scope: Scope) -> Figure:
    counted = (
        _plans(scope)
        .values("account__segment__name")
        .annotate(
            plans=Count("id", filter=Q(has_objectives=True)),
            green=Count("id", filter=Q(has_objectives=True, not_green=False)),
            complete=Count("id", filter=Q(has_objectives=True, not_done=False)),
        )
        .order_by("account__segment__name")
    )
    rows, plans, green, complete = [], 0, 0, 0
    for row in counted:
        plans, green, complete = (
            plans + row["plans"],
            green + row["green"],
            complete + row["complete"],
        )
        rows.append(
            Row(
                row["account__segment__name"],
                row["account__segment__name"],
                (
                    row["plans"],
                    row["green"],
                    rules.percent(row["green"], row["plans"]),
                    rules.percent(row["complete"], row["plans"]),
                ),
            )
        )
    value = rules.percent(green, plans)
    return Figure(
        value,
        fmt(value, "%"),
        f"{green} of {plans} plans all green; {fmt(rules.percent(complete, plans), '%')} complete",
        ("Segment", "Plans", "All green", "% green", "% complete"),
        rows,
        (Series("% green", 2), Series("% complete", 3)),
    )


def green_plans_rows(scope: Scope, bucket: str) -> Drill:
    plans = _plans(scope).filter(has_objectives=True)
    if bucket:
        plans = plans.filter(account__segment__name=bucket)
    plans = plans.annotate(
        objective_count=Count("objectives", filter=Q(objectives__archived_at__isnull=True)),
        progress=Avg("objectives__progress", filter=Q(objectives__archived_at__isnull=True)),
    ).order_by("account__name", "name", "id")
    return Drill(
        ("Plan", "Account", "Objectives", "All green", "Average progress"),
        plans.values_list(
            "id", "name", "account_id", "account__name", "objective_count", "not_green", "progress"
        ),
        lambda r: [
            Cell(r[1]),
            Cell(r[3], link_to("customers:account-detail", r[2])),
            Cell(str(r[4])),
            Cell("no" if r[5] else "yes"),
            Cell(f"{r[6]:.0f}%" if r[6] is not None else "—"),
        ],
    )
