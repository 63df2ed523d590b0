"""GET /api/v1/kpis: the dashboard's figures, filtered as the dashboard is (the same
form, the same definitions), so that the page and the API agree by construction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from rhythm.core.api import ERROR_RESPONSES, Id, Text
from rhythm.core.http import AuthedRequest
from rhythm.kpis import definitions
from rhythm.kpis.figures import Kpi, Scope, number
from rhythm.kpis.forms import FilterForm, WebinarFilterForm
from rhythm.kpis.views import OWN, may_see_webinars
from rhythm.people.rules import MANAGES_CSES

router = Router(tags=["kpis"])


class KpiQuery(Schema):
    period: Text = Field(
        "",
        max_length=16,
        description="A month (2026-11), a fiscal quarter (FY2027-Q2) or a fiscal year "
        "(FY2027); the current fiscal year when left out.",
    )
    region: Text = Field("", max_length=16)
    segment: Id | None = None
    cse: Id | None = Field(None, description="A CSE's figures; a CSE's own, whatever is asked.")
    offering: Id | None = None


class RowOut(Schema):
    bucket: str = Field(description="Names the row in the drill-down (?bucket=).")
    label: str
    values: list[float | int | str | None]


class KpiOut(Schema):
    key: str
    name: str
    definition: str
    available: bool = Field(description="False while the app it reads is not installed.")
    value: float | int | None = Field(description="The headline figure, as the dashboard shows.")
    display: str
    note: str
    filters: list[str] = Field(description="The filters that apply to this KPI.")
    columns: list[str]
    rows: list[RowOut]


class PeriodOut(Schema):
    key: str
    label: str
    start: date
    end: date = Field(description="The first day after the period.")


class KpisOut(Schema):
    period: PeriodOut
    region: str
    segment: int | None
    cse: int | None
    offering: int | None
    kpis: list[KpiOut]


class WebinarKpiQuery(Schema):
    period: Text = Field(
        "",
        max_length=16,
        description="The period the events start in: a month (2026-11), a fiscal quarter "
        "(FY2027-Q2) or a fiscal year (FY2027); the current fiscal year when left out.",
    )
    region: Text = Field("", max_length=8, description="The events' region: AMER, EMEA, APAC.")
    kind: Text = Field("", max_length=8, description="webinar or lab; both when left out.")


class WebinarKpisOut(Schema):
    period: PeriodOut
    region: str
    kind: str
    kpis: list[KpiOut]


def kpis_out(scope: Scope, figures: list[tuple[Kpi, Any]]) -> dict:
    f = scope.filters
    return {
        "period": {
            "key": f.period.key,
            "label": f.period.label,
            "start": f.period.start,
            "end": f.period.end,
        },
        "region": f.region,
        "segment": f.segment,
        "cse": f.cse,
        "offering": f.offering,
        "kind": f.kind,
        "kpis": [
            {
                "key": kpi.key,
                "name": kpi.name,
                "definition": kpi.definition,
                "available": figure.available,
                "value": figure.value,
                "display": figure.display,
                "note": figure.note,
                "filters": sorted(kpi.filters),
                "columns": list(figure.columns),
                "rows": [
                    {
                        "bucket": r.bucket,
                        "label": r.label,
                        "values": [number(v) for v in r.values],
                    }
                    for r in figure.rows
                ],
            }
            for kpi, figure in figures
        ],
    }


@router.get("/kpis", response={200: KpisOut, **ERROR_RESPONSES})
def kpis(request: AuthedRequest, query: Query[KpiQuery]):
    """Every KPI the dashboard shows, with its table, for the period, region, segment,
    CSE and offering asked (docs/kpis.md defines each). A manager sees the team's; a
    CSE their own. A bad filter is a 422 naming it."""
    user = request.user
    if user.has_perm(MANAGES_CSES):
        fixed = None
    elif user.has_perm(OWN):
        fixed = user
    else:
        raise PermissionDenied(
            "Your role does not allow this (KPIs are for CSEs and their managers)."
        )
    data = {k: v for k, v in query.dict().items() if v not in (None, "")}
    form = FilterForm(data, fixed_cse=fixed)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    scope = Scope(user, form.filters(), timezone.now())
    return kpis_out(scope, definitions.compute(scope))


@router.get("/kpis/webinars", response={200: WebinarKpisOut, **ERROR_RESPONSES})
def webinar_kpis(request: AuthedRequest, query: Query[WebinarKpiQuery]):
    """The webinars dashboard's figures (registrations, attendance, redemptions and the
    post-event survey, per month and per event) for the period, region and kind asked;
    docs/kpis.md defines each. For program managers and CSE managers. A bad filter is
    a 422 naming it."""
    if not may_see_webinars(request.user):
        raise PermissionDenied(
            "Your role does not allow this (the webinars dashboard is for program managers "
            "and CSE managers)."
        )
    form = WebinarFilterForm({k: v for k, v in query.dict().items() if v})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    scope = Scope(request.user, form.filters(), timezone.now())
    return kpis_out(scope, definitions.compute_webinars(scope))
