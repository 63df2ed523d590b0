"""Pure decisions about health metrics: what a metric row must look like.

A row is (account's CRM id, metric name, date, value). Checking it needs no
database: whether the CRM id names an account is the service's question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

COLUMNS = ("account", "metric", "date", "value")
METRIC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Stored as DECIMAL(18, 4): fourteen digits before the point.
VALUE_LIMIT = Decimal("1e14")
VALUE_PLACES = 4
CRM_ID_LIMIT = 64


# The earliest zone is UTC+14: a day already begun there is no future day.
EARLIEST_ZONE_AHEAD = timedelta(hours=14)


def latest_day(now: datetime) -> date:
    """The latest date a reading may carry: today somewhere on Earth. Not the
    uploader's nor the server's own today, which made the same file good or bad by
    who uploaded it and where the queue ran (near midnight UTC, New York's upload of
    today's UTC readings was "in the future")."""
    return (now.astimezone(UTC) + EARLIEST_ZONE_AHEAD).date()


@dataclass(frozen=True)
class MetricRow:
    crm_id: str
    metric: str
    date: date
    value: Decimal


@dataclass(frozen=True)
class RowProblem:
    """A bad row: its line in the file (1 is the header), the column and the rule."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def header_problem(header: list[str]) -> str | None:
    """None when the header names the four columns (any order, any case)."""
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        return (
            f"the header must name the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}."
        )
    return None


def column_positions(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    return {column: names.index(column) for column in COLUMNS}


def parse_row(
    values: dict[str, str], line: int, today: date
) -> tuple[MetricRow | None, RowProblem | None]:
    """A row read from a file or the API, checked column by column: the row, or
    the first problem naming its column."""
    crm_id = (values.get("account") or "").strip()
    if not crm_id:
        return None, RowProblem(line, "account", "the account's CRM id is required.")
    if len(crm_id) > CRM_ID_LIMIT:
        return None, RowProblem(line, "account", f"at most {CRM_ID_LIMIT} characters.")
    metric = (values.get("metric") or "").strip().lower()
    if not METRIC_NAME.match(metric):
        return None, RowProblem(
            line,
            "metric",
            f"{metric or 'an empty name'!r} is not a metric name: lower-case letters, "
            "digits and _, starting with a letter, at most 64.",
        )
    raw_date = (values.get("date") or "").strip()
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        return None, RowProblem(line, "date", f"{raw_date!r} is not a date (YYYY-MM-DD).")
    if day > today:
        return None, RowProblem(line, "date", f"{day} is in the future.")
    raw_value = (values.get("value") or "").strip().replace(",", "")
    try:
        value = Decimal(raw_value)
    except InvalidOperation:
        return None, RowProblem(line, "value", f"{raw_value!r} is not a number.")
    if not value.is_finite() or abs(value) >= VALUE_LIMIT:
        return None, RowProblem(line, "value", f"{raw_value} is out of range.")
    # Only a value written with a point or an exponent can have places to round (the
    # test is cheap; as_tuple is not, at a million rows).
    if (
        "." in raw_value or "e" in raw_value or "E" in raw_value
    ) and value.as_tuple().exponent < -VALUE_PLACES:  # type: ignore[operator]  # finite: an int
        value = round(value, VALUE_PLACES)
    return MetricRow(crm_id, metric, day, value), None
