"""Health metrics over the API: write a batch, read an account's values."""

from datetime import date as Date
from decimal import Decimal
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.health import services
from rhythm.health.models import MetricValue

router = Router(tags=["metrics"])


class MetricRowIn(Body):
    account: Text = Field(description="The account's CRM id.", min_length=1, max_length=64)
    metric: Text = Field(min_length=1, max_length=64, examples=["license_utilisation"])
    date: Text = Field(description="YYYY-MM-DD", examples=["2026-11-30"])
    value: Text = Field(description="A number.", examples=["42.5"])


class MetricBatchIn(Body):
    rows: list[MetricRowIn] = Field(max_length=services.API_BATCH_LIMIT)
    skip_bad_rows: bool = Field(
        False, description="Write the good rows and report the bad ones; else all or nothing."
    )


class RowProblemOut(Schema):
    row: int = Field(description="Its index in `rows`, from 0.")
    column: str
    message: str


class MetricBatchOut(Schema):
    rows_read: int
    rows_written: int
    bad_rows: int
    problems: list[RowProblemOut]


@router.post("/metrics", response={200: MetricBatchOut, **ERROR_RESPONSES})
def write_metrics(request: AuthedRequest, payload: MetricBatchIn):
    """Write up to 1,000 metric values; the same (account, metric, date) again takes
    the new value. A bad row answers 422 naming `rows[i].column`, and nothing is
    written, unless `skip_bad_rows`."""
    require_perm(request, "health.add_metricvalue")
    result = services.import_rows(
        [row.model_dump() for row in payload.rows], skip_bad_rows=payload.skip_bad_rows
    )
    return {
        "rows_read": result.rows_read,
        "rows_written": result.rows_written,
        "bad_rows": result.bad_rows,
        "problems": [
            {"row": p.line, "column": p.column, "message": p.message} for p in result.problems
        ],
    }


class MetricValueOut(Schema):
    account: int = Field(alias="account_id")
    metric: str
    date: Date
    value: Decimal


class MetricFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    metric: str | None = None
    since: Annotated[Date | None, FilterLookup("date__gte")] = None
    until: Annotated[Date | None, FilterLookup("date__lte")] = None


@router.get("/metrics", response=list[MetricValueOut])
@paginate(Pagination)
def list_metrics(request: AuthedRequest, filters: Query[MetricFilter]):
    require_perm(request, "health.view_metricvalue")
    return filters.filter(MetricValue.objects.visible_to(request.user)).order_by(
        "account_id", "metric", "-date"
    )
