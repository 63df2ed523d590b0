from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from rhythm.core.rules import add_business_days
from rhythm.ctas.rules import is_reconciliation_time

UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "utc, expected",
    [
        (datetime(2026, 1, 15, 8, 30, tzinfo=UTC), True),  # 00:30 PST (UTC-8)
        (datetime(2026, 1, 15, 12, 30, tzinfo=UTC), True),  # 04:30 PST
        (datetime(2026, 7, 15, 7, 30, tzinfo=UTC), True),  # 00:30 PDT (UTC-7)
        (datetime(2026, 7, 15, 8, 30, tzinfo=UTC), False),  # 01:30 PDT
        (datetime(2026, 1, 15, 8, 31, tzinfo=UTC), False),
        (datetime(2026, 1, 15, 9, 30), False),  # naive = UTC: 01:30 PST
    ],
)
def test_reconciliation_follows_pacific_time_and_daylight_saving(utc, expected):
    assert is_reconciliation_time(utc) is expected


def test_reconciliation_runs_six_times_a_day():
    hits = [
        hour
        for hour in range(24)
        if is_reconciliation_time(datetime(2026, 3, 20, hour, 30, tzinfo=UTC))
    ]
    assert len(hits) == 6


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (date(2026, 11, 23), 2, date(2026, 11, 25)),  # Monday + 2 = Wednesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 = Monday
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # Saturday rolls to Monday
        (date(2026, 11, 26), 3, date(2026, 12, 1)),  # Thursday + 3 = Tuesday
    ],
)
def test_business_days_skip_weekends(start, days, expected):
    assert add_business_days(start, days) == expected


def test_business_days_skip_given_holidays():
    assert add_business_days(date(2026, 12, 24), 1, frozenset({date(2026, 12, 25)})) == date(
        2026, 12, 28
    )
