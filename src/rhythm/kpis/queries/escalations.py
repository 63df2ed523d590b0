"""Escalations by kind and outcome. The app was built beside this one: the KPI reads
the model by its label (ESCALATION_MODEL) only when that app is installed, and says
so when it is not."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import (
    Count,
)

from rhythm.engagements.models import EngagementRequest
from rhythm.kpis.figures import (
    Cell,
    Drill,
    Figure,
    Row,
    Scope,
    Series,
    fmt,
    link_to,
    local_time,
)

ESCALATION_APP = "rhythm.escalations"
ESCALATION_MODEL = "escalations.Escalation"
ESCALATION_KIND_FIELD = "kind"
ESCALATION_OUTCOME_FIELD = "state"
ESCALATION_DATE_FIELD = "created_at"


# --- Escalations (a seam: the app is built beside this one) -------------------------------------


def escalation_model() -> Any:
    """The escalations model when its app is installed and has the fields this KPI
    groups by; None otherwise."""
    if not apps.is_installed(ESCALATION_APP):
        return None
    try:
        model = apps.get_model(ESCALATION_MODEL)
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    needed = {ESCALATION_KIND_FIELD, ESCALATION_OUTCOME_FIELD, ESCALATION_DATE_FIELD, "account"}
    return model if needed <= names else None


def escalations(scope: Scope) -> Figure:
    model = escalation_model()
    columns = ("Kind · outcome", "Escalations")
    if model is None:
        return Figure(
            None, "—", "The escalations app is not installed yet.", columns, [], available=False
        )
    counted = (
        scope.narrow(model.objects.order_by(), when=ESCALATION_DATE_FIELD)
        .values(ESCALATION_KIND_FIELD, ESCALATION_OUTCOME_FIELD)
        .annotate(n=Count("pk"))
        .order_by(ESCALATION_KIND_FIELD, ESCALATION_OUTCOME_FIELD)
    )
    kinds = dict(model._meta.get_field(ESCALATION_KIND_FIELD).flatchoices)
    outcomes = dict(model._meta.get_field(ESCALATION_OUTCOME_FIELD).flatchoices)
    rows = [
        Row(
            f"{r[ESCALATION_KIND_FIELD]}:{r[ESCALATION_OUTCOME_FIELD]}",
            f"{kinds.get(r[ESCALATION_KIND_FIELD], r[ESCALATION_KIND_FIELD])} · "
            f"{outcomes.get(r[ESCALATION_OUTCOME_FIELD], r[ESCALATION_OUTCOME_FIELD])}",
            (r["n"],),
        )
        for r in counted
    ]
    total = sum(r.values[0] for r in rows)
    return Figure(
        total,
        fmt(total),
        "escalations, by kind and outcome",
        columns,
        rows,
        (Series("Escalations", 0),),
    )


def escalation_rows(scope: Scope, bucket: str) -> Drill:
    model = escalation_model()
    if model is None:
        return Drill(
            ("Escalation",), EngagementRequest.objects.none().values_list("id"), lambda r: []
        )
    rows = scope.narrow(model.objects.order_by(), when=ESCALATION_DATE_FIELD)
    if ":" in bucket:
        kind, outcome = bucket.split(":", 1)
        rows = rows.filter(**{ESCALATION_KIND_FIELD: kind, ESCALATION_OUTCOME_FIELD: outcome})
    return Drill(
        ("Account", "Kind", "Outcome", "Raised"),
        rows.order_by(f"-{ESCALATION_DATE_FIELD}", "-pk").values_list(
            "account_id",
            "account__name",
            ESCALATION_KIND_FIELD,
            ESCALATION_OUTCOME_FIELD,
            ESCALATION_DATE_FIELD,
        ),
        lambda r: [
            Cell(r[1], link_to("customers:account-detail", r[0])),
            Cell(str(r[2])),
            Cell(str(r[3])),
            Cell(local_time(r[4])),
        ],
    )
