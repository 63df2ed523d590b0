"""The laws of a person's business-day calendar (core.rules.BusinessCalendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhythm.core.rules import BusinessCalendar, public_holidays, working_days_problem

COUNTRIES = sorted(holidays.list_supported_countries())
ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
weeks = st.frozensets(st.integers(0, 6), min_size=1)
calendars = st.builds(
    BusinessCalendar,
    working_days=weeks,
    zone=st.sampled_from(ZONES).map(ZoneInfo),
    country=st.sampled_from(["", "US", "FR", "DE", "GB", "IN", "JP", "BR"]),
    company_holidays=st.frozensets(days, max_size=20),
)


@given(calendars, days, st.integers(1, 60))
def test_adding_n_business_days_then_counting_gives_n(calendar, start, n):
    assert calendar.days_between(start, calendar.add_days(start, n)) == n


@given(calendars, days, st.integers(0, 60))
def test_a_due_date_is_never_a_day_off(calendar, start, n):
    due = calendar.add_days(start, n)
    assert due.weekday() in calendar.working_days
    assert due not in calendar.company_holidays
    if calendar.country:
        assert due not in holidays.country_holidays(calendar.country, years=due.year)
    assert calendar.is_business_day(due)


@given(calendars, days, st.integers(0, 30), st.integers(0, 30))
def test_adding_is_adding_in_steps(calendar, start, a, b):
    """n + m days from a business day is m days after n days."""
    start = calendar.next_business_day(start)
    assert calendar.add_days(start, a + b) == calendar.add_days(calendar.add_days(start, a), b)


def test_a_weekend_holiday_and_company_day_are_skipped():
    christmas = date(2025, 12, 25)  # a Thursday; Boxing Day a Friday in GB
    calendar = BusinessCalendar(country="GB", company_holidays=frozenset({date(2025, 12, 29)}))
    assert not calendar.is_business_day(christmas)
    assert calendar.add_days(date(2025, 12, 24), 1) == date(2025, 12, 30)
    assert calendar.days_between(date(2025, 12, 24), date(2025, 12, 30)) == 1


def test_a_subdivision_has_its_own_holidays():
    # Epiphany is a holiday in Bavaria, not in Berlin.
    epiphany = date(2025, 1, 6)
    assert not BusinessCalendar(country="DE", subdivision="BY").is_business_day(epiphany)
    assert BusinessCalendar(country="DE", subdivision="BE").is_business_day(epiphany)


def test_a_working_week_of_its_own():
    sunday_to_thursday = BusinessCalendar(working_days=frozenset({6, 0, 1, 2, 3}))
    thursday = date(2025, 6, 5)
    assert sunday_to_thursday.add_days(thursday, 1) == date(2025, 6, 8)  # Sunday


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_country_holidays_knows_works(country):
    calendar = BusinessCalendar(country=country)
    start = date(2026, 1, 1)
    due = calendar.add_days(start, 10)
    assert calendar.days_between(start, due) == 10
    assert due not in holidays.country_holidays(country, years=due.year)
    for subdivision in holidays.list_supported_countries()[country][:3]:
        assert BusinessCalendar(country=country, subdivision=subdivision).add_days(start, 3)


def test_public_holidays_are_computed_once_per_country_and_year():
    public_holidays.cache_clear()
    BusinessCalendar(country="FR").add_days(date(2025, 3, 1), 40)
    first = public_holidays.cache_info()
    BusinessCalendar(country="FR").add_days(date(2025, 3, 1), 40)
    assert public_holidays.cache_info().misses == first.misses
    assert public_holidays.cache_info().hits > first.hits


# --- Time of day and daylight saving -----------------------------------------------

# Days around the changes of 2025: Europe 30 March and 26 October, the US 9 March
# and 2 November, Sydney 6 April and 5 October.
dst_days = st.sampled_from(
    [date(2025, 3, 28), date(2025, 10, 24), date(2025, 3, 7), date(2025, 10, 31), date(2025, 4, 4)]
)
wall_times = st.times(min_value=time(0, 0), max_value=time(23, 59))


@given(st.sampled_from(ZONES[:3]), dst_days, wall_times, st.integers(0, 10))
def test_business_days_keep_the_wall_clock_across_daylight_saving(zone, day, at, n):
    calendar = BusinessCalendar(zone=ZoneInfo(zone))
    start = datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    due = calendar.add_days_at(start, n)
    local = calendar.local(due)
    assert local.date() == calendar.add_days(day, n)
    # The same wall-clock time unless it does not exist that day (spring's lost hour).
    assert local.time() == at or local.utcoffset() != calendar.local(start).utcoffset()


@given(st.sampled_from(ZONES), dst_days, wall_times, st.floats(0, 40))
def test_due_in_working_hours_counts_working_hours_only(zone, day, at, hours):
    calendar = BusinessCalendar(zone=ZoneInfo(zone))
    start = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    due = calendar.due_in_working_hours(start, hours)
    spent = calendar.working_time_between(start, due)
    assert abs(spent - timedelta(hours=hours)) < timedelta(seconds=1)
    local = calendar.local(due)
    assert calendar.is_business_day(local.date())
    assert time(9) <= local.time() <= time(17)


@given(dst_days, wall_times, st.floats(0, 40))
def test_working_hours_give_the_same_answer_in_any_zone_they_are_asked_in(day, at, hours):
    """The clock is the person's: asking with a UTC time or their local time agrees."""
    paris = ZoneInfo("Europe/Paris")
    calendar = BusinessCalendar(zone=paris)
    local_start = datetime.combine(day, at, tzinfo=paris)
    utc_start = local_start.astimezone(UTC)
    assert calendar.due_in_working_hours(local_start, hours) == calendar.due_in_working_hours(
        utc_start, hours
    )


def test_four_working_hours_from_friday_afternoon_run_on_monday():
    calendar = BusinessCalendar(zone=ZoneInfo("Europe/Paris"))
    friday = datetime(2025, 3, 28, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
    due = calendar.due_in_working_hours(friday, 4)
    # Summer time began on the Sunday between: Monday 11:00 is at +02:00.
    assert due == datetime(2025, 3, 31, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert due.utcoffset() == timedelta(hours=2)


@settings(max_examples=50)
@given(st.lists(st.integers(-2, 9), max_size=9))
def test_a_working_week_is_checked(values):
    problem = working_days_problem(values)
    valid = bool(values) and all(0 <= v <= 6 for v in values) and len(set(values)) == len(values)
    assert (problem is None) == valid
