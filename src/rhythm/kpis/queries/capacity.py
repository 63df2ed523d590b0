"""Capacity utilisation per CSE, as it stands today."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from rhythm.ctas.choices import CASE_SOURCES, CtaStatus
from rhythm.ctas.models import Cta
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
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
from rhythm.people.choices import Role
from rhythm.people.models import User

# --- Capacity ----------------------------------------------------------------------------


def _cses(scope: Scope) -> QuerySet:
    started = (
        EngagementRequest.objects.filter(
            assigned_cse=OuterRef("pk"), state=RequestState.STARTED, archived_at__isnull=True
        )
        .order_by()
        .values("assigned_cse")
        .annotate(h=Sum("hours_per_week"))
        .values("h")
    )
    open_ctas = (
        Cta.objects.filter(owner=OuterRef("pk"), source__in=CASE_SOURCES)
        .exclude(status=CtaStatus.CLOSED)
        .order_by()
        .values("owner")
        .annotate(n=Count("id"))
        .values("n")
    )
    cses = User.objects.active().filter(groups__name=Role.CSE.label)
    if scope.filters.cse is not None:
        cses = cses.filter(pk=scope.filters.cse)
    if scope.filters.region:
        cses = cses.filter(region=scope.filters.region)
    return cses.annotate(
        engagement_hours=Coalesce(
            Subquery(started, output_field=DecimalField(max_digits=8, decimal_places=1)),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        ),
        open_ctas=Coalesce(Subquery(open_ctas, output_field=IntegerField()), Value(0)),
    ).order_by("first_name", "last_name", "username")


def capacity(scope: Scope) -> Figure:
    cta_hours = Decimal(settings.RHYTHM_CTA_HOURS_PER_WEEK)
    rows, planned, available = [], Decimal("0"), Decimal("0")
    for cse in _cses(scope).values(
        "pk",
        "first_name",
        "last_name",
        "username",
        "weekly_capacity_hours",
        "engagement_hours",
        "open_ctas",
    ):
        load = cse["engagement_hours"] + cse["open_ctas"] * cta_hours
        planned, available = planned + load, available + cse["weekly_capacity_hours"]
        name = f"{cse['first_name']} {cse['last_name']}".strip() or cse["username"]
        rows.append(
            Row(
                str(cse["pk"]),
                name,
                (
                    float(load),
                    float(cse["weekly_capacity_hours"]),
                    rules.utilisation(float(load), float(cse["weekly_capacity_hours"])),
                ),
            )
        )
    value = rules.utilisation(float(planned), float(available))
    return Figure(
        value,
        fmt(value, "%"),
        f"{float(planned):.1f} h planned a week of {float(available):.1f} h "
        f"across {len(rows)} CSEs",
        ("CSE", "Planned h/week", "Capacity h/week", "% utilised"),
        rows,
        (Series("% utilised", 2),),
    )


def capacity_rows(scope: Scope, bucket: str) -> Drill:
    rows = scope.narrow(
        EngagementRequest.objects.filter(state=RequestState.STARTED).active(),
        cse="assigned_cse",
        offering="offering",
    )
    if bucket.isdigit():
        rows = rows.filter(assigned_cse_id=int(bucket))
    return Drill(
        ("Engagement", "Account", "CSE", "Started", "Hours a week"),
        rows.order_by("assigned_cse__username", "target_start_date", "id").values_list(
            "id",
            "title",
            "account__name",
            "assigned_cse__username",
            "target_start_date",
            "hours_per_week",
        ),
        lambda r: [
            Cell(r[1], link_to("engagements:detail", r[0])),
            Cell(r[2]),
            Cell(r[3] or ""),
            Cell(r[4].strftime("%d %b %Y")),
            Cell(f"{r[5]:.1f}"),
        ],
    )
