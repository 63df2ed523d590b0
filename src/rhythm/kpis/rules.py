"""The KPIs' pure decisions: which days a period covers, and the arithmetic of a
figure. No database and no clock: the caller passes `today` and the counts.

A period is a month ("2026-11"), a fiscal quarter ("FY2027-Q2") or a fiscal year
("FY2027"); the fiscal year starts on the first of RHYTHM_FISCAL_YEAR_START_MONTH
and is named by the calendar year it ends in, as followups.rules.fiscal_quarter
names it (one fiscal calendar for the topic rules and the dashboards).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rhythm.followups.rules import fiscal_quarter

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^FY(\d{4})$")
MONTH, QUARTER, FISCAL_YEAR = "month", "quarter", "fiscal_year"


@dataclass(frozen=True)
class Period:
    """The days [start, end) a dashboard counts, and how it reads."""

    key: str
    kind: str
    label: str
    start: date
    end: date

    def months(self) -> list[date]:
        """The first day of every month the period covers: a trend's axis."""
        out, day = [], self.start
        while day < self.end:
            out.append(day)
            day = add_months(day, 1)
        return out


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year_start(fiscal_year: int, start_month: int) -> date:
    """The first day of fiscal year `fiscal_year` (named by the year it ends in)."""
    return date(fiscal_year - (1 if start_month > 1 else 0), start_month, 1)


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(
        f"{year:04d}-{month:02d}", MONTH, start.strftime("%B %Y"), start, add_months(start, 1)
    )


def quarter_period(fiscal_year: int, quarter: int, start_month: int) -> Period:
    start = add_months(fiscal_year_start(fiscal_year, start_month), 3 * (quarter - 1))
    last = add_months(start, 2)
    return Period(
        f"FY{fiscal_year}-Q{quarter}",
        QUARTER,
        f"Q{quarter} FY{fiscal_year} ({start.strftime('%b')}–{last.strftime('%b %Y')})",
        start,
        add_months(start, 3),
    )


def year_period(fiscal_year: int, start_month: int) -> Period:
    start = fiscal_year_start(fiscal_year, start_month)
    end = add_months(start, 12)
    return Period(
        f"FY{fiscal_year}",
        FISCAL_YEAR,
        f"FY{fiscal_year} ({start.strftime('%b %Y')}–{add_months(start, 11).strftime('%b %Y')})",
        start,
        end,
    )


def current_fiscal_year(today: date, start_month: int) -> Period:
    return year_period(fiscal_quarter(today, start_month)[0], start_month)


def parse_period(text: str, *, today: date, start_month: int) -> Period:
    """The period `text` names, or the current fiscal year when it is empty; a
    ValueError says what a period looks like."""
    text = (text or "").strip()
    if not text:
        return current_fiscal_year(today, start_month)
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return month_period(year, month)
    elif match := _QUARTER.match(text):
        if 2000 <= int(match[1]) <= 2100:
            return quarter_period(int(match[1]), int(match[2]), start_month)
    elif (match := _YEAR.match(text)) and 2000 <= int(match[1]) <= 2100:
        return year_period(int(match[1]), start_month)
    raise ValueError(
        f"{text!r} is no period: a month (2026-11), a fiscal quarter (FY2027-Q2) "
        "or a fiscal year (FY2027)."
    )


def period_choices(today: date, start_month: int) -> list[Period]:
    """What the period filter offers: this fiscal year and the last, this fiscal
    quarter and the three before it, this month and the five before it."""
    year, quarter = fiscal_quarter(today, start_month)
    choices = [year_period(year, start_month), year_period(year - 1, start_month)]
    for back in range(4):
        index = year * 4 + quarter - 1 - back
        choices.append(quarter_period(index // 4, index % 4 + 1, start_month))
    this_month = date(today.year, today.month, 1)
    for back in range(6):
        month = add_months(this_month, -back)
        choices.append(month_period(month.year, month.month))
    return choices


def percent(part: int | float, whole: int | float) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is no whole."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"{part} of {whole} is no share.")
    return round(100 * part / whole, 1) if whole else None


def utilisation(hours: float, capacity: float) -> float | None:
    """Planned hours a week over weekly capacity, in percent (may pass 100)."""
    if hours < 0 or capacity < 0:
        raise ValueError("Hours and capacity are never negative.")
    return round(100 * hours / capacity, 1) if capacity else None


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)
