from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rhythm.core.rules import add_business_days
from rhythm.ctas.rules import cta_aging, is_reconciliation_time, task_aging

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


# --- Aging --------------------------------------------------------------------

MONDAY = date(2026, 3, 2)
NORMS = {"cta.open": 1, "cta.in_progress": 10}


def _cta(status, *, raised_on=MONDAY, accepted_on=None, due=None, today):
    return cta_aging(
        status=status,
        raised_on=raised_on,
        accepted_on=accepted_on,
        due=due,
        today=today,
        norms=NORMS,
    )


def test_an_unaccepted_cta_ages_after_a_business_day():
    assert not _cta("open", today=MONDAY + timedelta(days=1))
    verdict = _cta("open", today=MONDAY + timedelta(days=3))
    assert verdict.aging and verdict.reasons == ["Unaccepted for 3 business days; the norm is 1"]


def test_a_cta_in_progress_ages_from_its_acceptance_not_its_raising():
    accepted = MONDAY + timedelta(days=14)
    assert not _cta("in_progress", accepted_on=accepted, today=accepted + timedelta(days=7))
    late = _cta("in_progress", accepted_on=accepted, today=accepted + timedelta(days=15))
    assert late.reasons == ["In progress for 11 business days; the norm is 10"]


def test_a_cta_past_its_due_date_is_overdue():
    verdict = _cta("open", due=MONDAY, today=MONDAY + timedelta(days=1))
    assert verdict.overdue and verdict.reasons[0] == "Due Mon 2 Mar, 1 business day ago"


def test_a_closed_cta_is_never_late():
    assert not _cta("closed", due=MONDAY, today=MONDAY + timedelta(days=60))


def test_only_an_open_task_is_overdue():
    today = MONDAY + timedelta(days=2)
    assert task_aging(status="open", due=MONDAY, today=today).overdue
    assert not task_aging(status="open", due=today, today=today)
    assert not task_aging(status="done", due=MONDAY, today=today)
    assert not task_aging(status="skipped", due=MONDAY, today=today)
