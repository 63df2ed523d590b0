"""The KPIs' pure rules: periods on the fiscal calendar, and a figure's arithmetic."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhythm.followups.rules import fiscal_quarter
from rhythm.kpis import rules

TODAY = date(2026, 12, 1)


def test_an_empty_period_is_the_current_fiscal_year_named_by_the_year_it_ends_in():
    period = rules.parse_period("", today=TODAY, start_month=2)
    assert (period.key, period.start, period.end) == ("FY2027", date(2026, 2, 1), date(2027, 2, 1))
    assert period.label == "FY2027 (Feb 2026–Jan 2027)"
    assert len(period.months()) == 12


def test_a_january_start_is_the_calendar_year():
    period = rules.parse_period("FY2026", today=TODAY, start_month=1)
    assert (period.start, period.end) == (date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("FY2027-Q1", date(2026, 2, 1), date(2026, 5, 1)),
        ("FY2027-Q4", date(2026, 11, 1), date(2027, 2, 1)),
    ],
)
def test_months_and_fiscal_quarters(text, start, end):
    period = rules.parse_period(text, today=TODAY, start_month=2)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2026-13", "FY2027-Q5", "Q3", "last year", "1999-01"])
def test_anything_else_is_refused_saying_what_a_period_looks_like(text):
    with pytest.raises(ValueError, match=r"a month \(2026-11\), a fiscal quarter"):
        rules.parse_period(text, today=TODAY, start_month=2)


def test_the_choices_hold_this_and_last_fiscal_year_four_quarters_and_six_months():
    keys = [p.key for p in rules.period_choices(TODAY, 2)]
    assert keys[:2] == ["FY2027", "FY2026"]
    assert keys[2:6] == ["FY2027-Q4", "FY2027-Q3", "FY2027-Q2", "FY2027-Q1"]
    assert keys[6:] == ["2026-12", "2026-11", "2026-10", "2026-09", "2026-08", "2026-07"]


@given(st.dates(date(2001, 1, 1), date(2099, 12, 31)), st.integers(1, 12))
def test_a_fiscal_quarter_holds_every_day_followups_counts_in_it(day, start_month):
    """One fiscal calendar: the quarter the topic rules put a day in contains it."""
    year, quarter = fiscal_quarter(day, start_month)
    period = rules.quarter_period(year, quarter, start_month)
    assert period.start <= day < period.end


def test_percent_and_utilisation():
    assert rules.percent(2, 3) == 66.7
    assert rules.percent(0, 0) is None
    assert rules.utilisation(14, 40) == 35.0
    assert rules.utilisation(50, 40) == 125.0  # over capacity shows as such
    with pytest.raises(ValueError):
        rules.percent(4, 3)
